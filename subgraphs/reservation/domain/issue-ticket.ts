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
  const r = await tx.reservation.findUnique({ where: { id: reservationId } });
  if (!r || r.status !== "CONFIRMED") return;
  const created = await tx.ticket.createManyAndReturn({ data: [{ reservationId, code: ticketCode() }], skipDuplicates: true });
  const ticket = created[0];
  if (!ticket) return;
  await enqueueEvents(tx, createEvent("ticket.issued", reservationId, { reservationId, customerId, ticketId: ticket.id, code: ticket.code }, r.version));
}
