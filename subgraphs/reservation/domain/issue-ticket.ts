import { randomBytes, randomUUID } from "node:crypto";
import { createEvent, type EventEnvelope } from "@cinema/platform/events";
import type { ReservationTx } from "../data.ts";

const BASE32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read aloud at the door

/** 80 random bits as XXXX-XXXX-XXXX-XXXX: unguessable, and short enough to type. */
export function ticketCode(): string {
  const bytes = randomBytes(16);
  const chars = Array.from(bytes, (b) => BASE32[b % 32]).join("");
  return chars.match(/.{4}/g)!.join("-");
}

/**
 * Issues the ticket of a confirmed booking, off the `reservation.confirmed` event so a slow
 * ticketing step never slows `reserve`. A booking cancelled in the meantime gets no ticket.
 * One statement (it runs for every booking): the ticket and its `ticket.issued` outbox row, which
 * it returns (null when no ticket was issued) for the relay to publish once committed.
 */
export async function issueTicket(tx: ReservationTx, event: EventEnvelope<"reservation.confirmed">): Promise<EventEnvelope<"ticket.issued"> | null> {
  const { reservationId, customerId } = event.data;
  const ticketId = randomUUID();
  const issued = createEvent("ticket.issued", reservationId, { reservationId, customerId, ticketId, code: ticketCode() }, 0);
  // FOR SHARE waits for a cancellation in flight (it holds the row FOR UPDATE) and holds off the
  // next one until this commits: without it, a ticket inserted while the cancel runs is missed by
  // the cancel's void and stays ISSUED for a CANCELLED booking (found by test/fuzz.test.ts).
  const [row] = await tx.$queryRaw<{ payload: EventEnvelope<"ticket.issued"> }[]>`
    WITH booking AS (
      SELECT "id", "version" FROM "reservation" WHERE "id" = ${reservationId}::uuid AND "status" = 'CONFIRMED' FOR SHARE
    ), ticket AS (
      INSERT INTO "ticket" ("id", "reservation_id", "code")
      SELECT ${ticketId}::uuid, "id", ${issued.data.code} FROM booking
      ON CONFLICT DO NOTHING RETURNING "reservation_id"
    )
    INSERT INTO "outbox_event" ("id", "type", "payload")
    SELECT ${issued.id}::uuid, ${issued.type}, jsonb_set(${JSON.stringify(issued)}::jsonb, '{aggregateVersion}', to_jsonb(booking."version"))
    FROM ticket JOIN booking ON booking."id" = ticket."reservation_id"
    RETURNING "payload"`;
  return row?.payload ?? null;
}
