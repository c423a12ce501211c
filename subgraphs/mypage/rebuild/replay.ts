import { AckPolicy, DeliverPolicy, jetstreamManager } from "@nats-io/jetstream";
import { subjectFor, type EventEnvelope, type EventType } from "@cinema/platform/events";
import type { EventBus } from "@cinema/platform/nats";

/**
 * Reads the stream's events of `types` from sequence `fromSeq` up to its end as it is now, in
 * stream order, `batch` at a time, handing each batch to `apply` before reading on. An ephemeral
 * pull consumer without acks (it holds no state of the services' consumers and goes away after).
 * Returns the sequence up to which every such event has been applied, to continue from later.
 * The stream keeps every event (limits retention without limits: see platform nats.ts), so the
 * replay starts from the beginning of the business.
 */
export async function replayEvents(
  bus: EventBus,
  types: readonly EventType[],
  fromSeq: number,
  apply: (events: EventEnvelope<EventType>[]) => Promise<void>,
  batch = 256,
): Promise<{ lastSeq: number; replayed: number }> {
  const jsm = await jetstreamManager(bus.nc);
  // Everything up to here is in the stream now: the consumer below counts it in num_pending.
  const headSeq = (await jsm.streams.info(bus.stream)).state.last_seq;
  // One subject filter for the whole stream, the model's types picked here: servers before 2.10
  // take no list of filters, and one consumer keeps the stream's order across the types.
  const wanted = new Set(types.map((t) => subjectFor(bus.prefix, t)));
  const info = await jsm.consumers.add(bus.stream, {
    ack_policy: AckPolicy.None,
    filter_subject: `${bus.prefix}.>`,
    ...(fromSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq } : { deliver_policy: DeliverPolicy.All }),
    inactive_threshold: 60_000_000_000, // ns: gone a minute after a crashed replay
    mem_storage: true,
  });
  let remaining = info.num_pending;
  let lastSeq = Math.max(headSeq, fromSeq - 1);
  let replayed = 0;
  try {
    const consumer = await bus.js.consumers.get(bus.stream, info.name);
    while (remaining > 0) {
      const events: EventEnvelope<EventType>[] = [];
      let read = 0;
      for await (const msg of await consumer.fetch({ max_messages: Math.min(batch, remaining), expires: 5_000 })) {
        read++;
        lastSeq = Math.max(lastSeq, msg.seq);
        if (wanted.has(msg.subject)) events.push(msg.json<EventEnvelope<EventType>>());
      }
      if (!read) throw new Error(`the stream stopped answering with ${remaining} messages left to replay`);
      remaining -= read;
      if (!events.length) continue;
      await apply(events);
      replayed += events.length;
    }
  } finally {
    await jsm.consumers.delete(bus.stream, info.name).catch(() => {});
  }
  return { lastSeq, replayed };
}
