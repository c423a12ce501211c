import type { EventEnvelope, EventType } from "@cinema/platform/events";
import type { MypageTx } from "../data.ts";

/** Thrown when an event about a booking arrives before the booking itself; the event is retried. */
export class NotYetProjected extends Error {
  override name = "NotYetProjected";
}

const money = (cents: number, currency: string) => new Intl.NumberFormat("en-US", { style: "currency", currency }).format(cents);

async function addHistory(tx: MypageTx, e: EventEnvelope<EventType>, reservationId: string, kind: string, description: string) {
  await tx.statusChange.createMany({
    data: [{ eventId: e.id, reservationId, at: new Date(e.occurredAt), kind, description }],
    skipDuplicates: true,
  });
}

/** Updates an existing booking row, or asks for a retry when the booking has not arrived yet. */
async function updateBooking(tx: MypageTx, reservationId: string, where: object, data: object): Promise<void> {
  const { count } = await tx.myReservation.updateMany({ where: { reservationId, ...where }, data });
  if (count === 0 && !(await tx.myReservation.findUnique({ where: { reservationId }, select: { reservationId: true } }))) {
    throw new NotYetProjected(`booking ${reservationId} is not on my page yet`);
  }
}

/** Keeps the screening facts my page shows, so it never has to ask the movie subgraph. */
export async function projectScreening(tx: MypageTx, e: EventEnvelope<"movie.screening-scheduled">): Promise<string | null> {
  const { screeningId, movieId, movieTitle, auditoriumName, startsAt } = e.data;
  const info = { movieId, movieTitle, auditoriumName, startsAt: new Date(startsAt) };
  await tx.screeningInfo.upsert({ where: { screeningId }, create: { screeningId, ...info }, update: info });
  // Bookings that arrived before their screening's event get the facts now.
  await tx.myReservation.updateMany({ where: { screeningId }, data: { movieTitle, auditoriumName, screeningStartsAt: new Date(startsAt) } });
  return null;
}

/** A confirmed booking appears on my page; an older event arriving late never overwrites a newer one. */
export async function projectConfirmed(tx: MypageTx, e: EventEnvelope<"reservation.confirmed">): Promise<string> {
  const d = e.data;
  const screening = await tx.screeningInfo.findUnique({ where: { screeningId: d.screeningId } });
  await tx.myReservation.createMany({
    data: [
      {
        reservationId: d.reservationId,
        customerId: d.customerId,
        screeningId: d.screeningId,
        movieTitle: screening?.movieTitle ?? null,
        auditoriumName: screening?.auditoriumName ?? null,
        screeningStartsAt: screening?.startsAt ?? null,
        seats: d.seats,
        amountCents: d.amountCents,
        currency: d.currency,
        reservationStatus: "CONFIRMED",
        paymentStatus: "CAPTURED",
        version: e.aggregateVersion,
        bookedAt: new Date(e.occurredAt),
        updatedAt: new Date(e.occurredAt),
      },
    ],
    skipDuplicates: true,
  });
  await addHistory(tx, e, d.reservationId, "CONFIRMED", `Booked ${d.seats.join(", ")} for ${money(d.amountCents, d.currency)}`);
  return d.reservationId;
}

export async function projectTicketIssued(tx: MypageTx, e: EventEnvelope<"ticket.issued">): Promise<string> {
  const d = e.data;
  // A ticket voided by a cancellation stays VOID even if its issue event comes late.
  await updateBooking(tx, d.reservationId, { ticketStatus: null }, { ticketStatus: "ISSUED", ticketCode: d.code, updatedAt: new Date(e.occurredAt) });
  await addHistory(tx, e, d.reservationId, "TICKET_ISSUED", `Ticket ${d.code} issued`);
  return d.reservationId;
}

export async function projectCancelled(tx: MypageTx, e: EventEnvelope<"reservation.cancelled">): Promise<string> {
  const d = e.data;
  await updateBooking(
    tx,
    d.reservationId,
    { version: { lt: e.aggregateVersion } },
    { reservationStatus: "CANCELLED", ticketStatus: "VOID", version: e.aggregateVersion, updatedAt: new Date(e.occurredAt) },
  );
  await addHistory(tx, e, d.reservationId, "CANCELLED", "Booking cancelled; the ticket is void and a refund is on its way");
  return d.reservationId;
}

export async function projectRefunded(tx: MypageTx, e: EventEnvelope<"payment.refunded">): Promise<string> {
  const d = e.data;
  await updateBooking(tx, d.reservationId, {}, { paymentStatus: "REFUNDED", refundedAmountCents: d.amountCents, updatedAt: new Date(e.occurredAt) });
  await addHistory(tx, e, d.reservationId, "REFUNDED", `Refunded ${money(d.amountCents, d.currency)}`);
  return d.reservationId;
}

export async function projectSeatsReleased(tx: MypageTx, e: EventEnvelope<"seat.released">): Promise<string> {
  const d = e.data;
  await updateBooking(tx, d.reservationId, {}, { seatsReleased: true, updatedAt: new Date(e.occurredAt) });
  await addHistory(tx, e, d.reservationId, "SEATS_RELEASED", d.seats.length ? `Seats ${d.seats.join(", ")} are back on sale` : "Seats released");
  return d.reservationId;
}
