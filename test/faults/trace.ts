// Evidence for a violation: where one booking's events are (each service's outbox, the JetStream
// stream, the consumers' dead letters) and what my page recorded, printed when a case fails.
import pg from "pg";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { streamNameFor } from "@cinema/platform/events";
import type { CheckedStack } from "./invariants.ts";

async function rows(url: string, text: string, params: unknown[]): Promise<any[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } catch {
    return [];
  } finally {
    await client.end();
  }
}

const ms = (d: Date | string | null) => (d ? new Date(d).toISOString().slice(11, 23) : "-");

/** Every event about these bookings in the stream (type, sequence, time), including dead letters. */
async function streamEvents(stack: CheckedStack, ids: Set<string>): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const nc = await connect({ servers: stack.natsUrl.split(","), timeout: 5_000, reconnect: false });
  try {
    const stream = streamNameFor(stack.eventsPrefix);
    const last = (await (await jetstreamManager(nc, { timeout: 10_000 })).streams.info(stream)).state.last_seq;
    if (!last) return found;
    const consumer = await jetstream(nc, { timeout: 10_000 }).consumers.get(stream);
    const messages = await consumer.consume({ max_messages: 256 });
    const stop = setTimeout(() => void messages.close(), 15_000);
    for await (const m of messages) {
      try {
        const event = m.json<{ id: string; type: string; aggregateId: string; occurredAt: string }>();
        if (ids.has(event.aggregateId)) {
          found.set(event.aggregateId, [...(found.get(event.aggregateId) ?? []), `${m.subject.slice(stack.eventsPrefix.length + 1)}#${m.seq}@${ms(new Date(m.info.timestampNanos / 1e6))}`]);
        }
      } catch {
        // not an envelope
      }
      if (m.seq >= last) break;
    }
    clearTimeout(stop);
    await messages.close();
  } finally {
    await nc.close();
  }
  return found;
}

/** One line per booking: outbox rows per service (type, created → sent), stream messages, my page's history. */
export async function traceBookings(stack: CheckedStack, ids: string[]): Promise<string> {
  if (!ids.length) return "";
  const lines: string[] = [];
  const inStream = await streamEvents(stack, new Set(ids)).catch((err) => new Map([["*", [`stream not readable: ${(err as Error).message}`]]]));
  for (const id of ids) {
    const outbox: string[] = [];
    for (const [name, url] of Object.entries(stack.databaseUrls)) {
      for (const r of await rows(url, `SELECT type, created_at, sent_at FROM outbox_event WHERE payload->>'aggregateId' = $1 ORDER BY seq`, [id])) {
        outbox.push(`${name}:${r.type} ${ms(r.created_at)}→${ms(r.sent_at)}`);
      }
    }
    const history = (await rows(stack.databaseUrls.mypage!, `SELECT kind, at FROM status_change WHERE reservation_id = $1::uuid ORDER BY at`, [id])).map(
      (h) => `${h.kind}@${ms(h.at)}`,
    );
    lines.push(
      `  trace ${id}\n    outbox: ${outbox.join(", ") || "-"}\n    stream: ${(inStream.get(id) ?? inStream.get("*") ?? []).join(", ") || "-"}\n    my page history: ${history.join(", ") || "-"}`,
    );
  }
  return lines.join("\n");
}
