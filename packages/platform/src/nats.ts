import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type JsMsg,
} from "@nats-io/jetstream";
import { eventsPrefix, intEnv } from "./config.ts";
import { deadLetterSubject, streamNameFor, subjectFor, type EventEnvelope, type EventType } from "./events.ts";
import { logger } from "./logger.ts";
import { countEventPublished, countEventsConsumed, trackConsumer } from "./metrics.ts";
import { inEventSpan, inEventSpans } from "./observability.ts";

export interface EventBus {
  nc: NatsConnection;
  js: JetStreamClient;
  prefix: string;
  stream: string;
  close(): Promise<void>;
}

/** Connects (retrying forever on loss) and makes sure the platform's one stream exists. */
export async function connectEventBus(name: string, url = process.env.NATS_URL ?? "nats://127.0.0.1:4222"): Promise<EventBus> {
  const nc = await connect({ servers: url.split(","), name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  const prefix = eventsPrefix();
  const stream = streamNameFor(prefix);
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(stream);
  } catch {
    await jsm.streams
      .add({
        name: stream,
        subjects: [`${prefix}.>`],
        storage: StorageType.File,
        num_replicas: intEnv("NATS_STREAM_REPLICAS", 1),
        duplicate_window: 2 * 60 * 1_000_000_000, // ns: Nats-Msg-Id dedupe window
      })
      .catch(async (err) => {
        // Another process created it between our look and our add.
        await jsm.streams.info(stream).catch(() => Promise.reject(err));
      });
  }
  (async () => {
    for await (const s of nc.status()) if (s.type === "disconnect" || s.type === "reconnect") logger.warn({ nats: s.type }, "nats connection");
  })().catch(() => {});
  return { nc, js: jetstream(nc), prefix, stream, close: () => nc.drain() };
}

export async function publishEvent(bus: EventBus, event: EventEnvelope): Promise<void> {
  const subject = subjectFor(bus.prefix, event.type);
  await inEventSpan(event, "publish", { "messaging.destination.name": subject }, () => bus.js.publish(subject, JSON.stringify(event), { msgID: event.id }));
  countEventPublished(event.type);
}

/**
 * A durable consumer of one event type: `handle` takes one event at a time; `handleBatch` instead
 * takes the events waiting at that moment (up to EVENT_BATCH, in stream order) at once, e.g. in one
 * transaction: under load a fraction of the cost of one call per event. A batch that throws is
 * handled again one event at a time (a batch of one), so one bad event is retried and
 * dead-lettered alone.
 */
export type ConsumerOptions<T extends EventType> = {
  /** Durable name, unique per service and event type, e.g. `seat.movie-screening-scheduled`. */
  durable: string;
  type: T;
} & (
  | { handle(event: EventEnvelope<T>): Promise<void>; handleBatch?: undefined }
  | { handleBatch(events: EventEnvelope<T>[]): Promise<void>; handle?: undefined }
);

/**
 * A durable pull consumer with explicit ack. A failing event is retried with back-off up to
 * EVENT_MAX_DELIVER times, then copied to the dead-letter subject and terminated.
 */
export async function consumeEvents<T extends EventType>(bus: EventBus, opts: ConsumerOptions<T>): Promise<() => Promise<void>> {
  const maxDeliver = intEnv("EVENT_MAX_DELIVER", 5);
  const jsm = await jetstreamManager(bus.nc);
  const durable = opts.durable.replace(/[^A-Za-z0-9_-]/g, "_");
  const config = {
    durable_name: durable,
    filter_subject: subjectFor(bus.prefix, opts.type),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_deliver: maxDeliver,
    ack_wait: 30_000_000_000,
  };
  await jsm.consumers.info(bus.stream, durable).catch(() => jsm.consumers.add(bus.stream, config));
  const consumer = await bus.js.consumers.get(bus.stream, durable);
  const batchMax = opts.handleBatch ? intEnv("EVENT_BATCH", 64) : 1;
  const messages = await consumer.consume({ max_messages: Math.max(64, batchMax) });
  const untrack = trackConsumer(durable, () => consumer.info());
  const done = (async () => {
    for await (const batch of batches(messages, batchMax)) {
      if (batch.length > 1 && (await handleBatch(opts, batch, durable))) continue;
      for (const msg of batch) await handleOne(bus, opts, msg, maxDeliver, durable);
    }
  })();
  return async () => {
    untrack();
    await messages.close();
    await done.catch(() => {});
  };
}

/**
 * Groups what the consumer has already received into batches of at most `max`, without waiting
 * for more: a lone event is handled at once, a backlog in large batches. At most `max` messages
 * wait here, so the pull consumer's own flow control still bounds what is in flight.
 */
async function* batches(messages: AsyncIterable<JsMsg>, max: number): AsyncGenerator<JsMsg[]> {
  const waiting: JsMsg[] = [];
  let closed = false;
  let failed: unknown;
  let wake: (() => void) | undefined;
  let resume: (() => void) | undefined;
  void (async () => {
    try {
      for await (const msg of messages) {
        waiting.push(msg);
        wake?.();
        if (waiting.length >= max) await new Promise<void>((r) => (resume = r));
      }
    } catch (err) {
      failed = err;
    } finally {
      closed = true;
      wake?.();
    }
  })();
  for (;;) {
    if (!waiting.length) {
      if (closed) break;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
      continue;
    }
    // Let the messages that arrived in the same tick join this batch.
    await new Promise<void>((r) => setImmediate(r));
    const batch = waiting.splice(0, max);
    resume?.();
    resume = undefined;
    yield batch;
  }
  if (failed) throw failed;
}

/** True when the whole batch was handled and acknowledged; false to fall back to one at a time. */
async function handleBatch<T extends EventType>(opts: ConsumerOptions<T>, batch: JsMsg[], durable: string): Promise<boolean> {
  let events: EventEnvelope<T>[];
  try {
    events = batch.map((msg) => msg.json<EventEnvelope<T>>());
  } catch {
    return false; // the undecodable one is dead-lettered by handleOne
  }
  try {
    const attributes = { "messaging.destination.name": batch[0]!.subject, "messaging.consumer.group.name": durable };
    await inEventSpans(events, "process", attributes, () => opts.handleBatch!(events));
  } catch (err) {
    logger.warn({ err, durable, events: events.length }, "event batch failed; handling its events one at a time");
    return false;
  }
  for (const msg of batch) msg.ack();
  countEventsConsumed(durable, batch.length);
  return true;
}

async function handleOne<T extends EventType>(bus: EventBus, opts: ConsumerOptions<T>, msg: JsMsg, maxDeliver: number, durable: string) {
  let event: EventEnvelope<T>;
  try {
    event = msg.json<EventEnvelope<T>>();
  } catch {
    logger.error({ durable, seq: msg.seq }, "undecodable event sent to dead letters");
    bus.nc.publish(deadLetterSubject(bus.prefix, durable), msg.data);
    msg.term("undecodable");
    return;
  }
  try {
    await inEventSpan(event, "process", { "messaging.destination.name": msg.subject, "messaging.consumer.group.name": durable }, () => (opts.handleBatch ? opts.handleBatch([event]) : opts.handle(event)));
    msg.ack();
    countEventsConsumed(durable, 1);
  } catch (err) {
    const attempt = msg.info.deliveryCount;
    if (attempt >= maxDeliver) {
      logger.error({ err, durable, eventId: event.id, attempt }, "event failed for the last time; sent to dead letters");
      bus.nc.publish(deadLetterSubject(bus.prefix, durable), msg.data);
      msg.term("max deliveries");
    } else {
      logger.warn({ err, durable, eventId: event.id, attempt }, "event failed; will retry");
      msg.nak(Math.min(30_000, 250 * 2 ** attempt));
    }
  }
}

/** Best-effort live notification (see liveSeatsSubject): never stored, never awaited by callers. */
export function publishLive(bus: EventBus, subject: string, payload: unknown): void {
  try {
    bus.nc.publish(subject, JSON.stringify(payload));
  } catch (err) {
    logger.debug({ err, subject }, "live notification dropped");
  }
}
