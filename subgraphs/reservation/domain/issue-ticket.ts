import { randomBytes } from "node:crypto";
import { createEvent, type EventEnvelope } from "@cinema/platform/events";
import { enqueueEvents } from "@cinema/platform/outbox";
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
 */
export async function issueTicket(tx: ReservationTx, event: EventEnvelope<"reservation.confirmed">): Promise<void> {
  const { reservationId, customerId } = event.data;
  // FOR SHARE waits for a cancellation in flight (it holds the row FOR UPDATE) and holds off the
  // next one until this commits: without it, a ticket inserted while the cancel runs is missed by
  // the cancel's void and stays ISSUED for a CANCELLED booking (found by test/fuzz.test.ts).
  await tx.$queryRaw`SELECT id FROM reservation WHERE id = ${reservationId}::uuid FOR SHARE`;
  const r = await tx.reservation.findUnique({ where: { id: reservationId } });
  if (!r || r.status !== "CONFIRMED") return;
  const created = await tx.ticket.createManyAndReturn({ data: [{ reservationId, code: ticketCode() }], skipDuplicates: true });
  const ticket = created[0];
  if (!ticket) return;
  await enqueueEvents(tx, createEvent("ticket.issued", reservationId, { reservationId, customerId, ticketId: ticket.id, code: ticket.code }, r.version));
}
