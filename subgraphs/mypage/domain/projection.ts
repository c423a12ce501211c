import { formatMoney } from "@cinema/platform/money";
import type { EventEnvelope, EventType } from "@cinema/platform/events";
import type { MypageTx } from "../data.ts";


const money = (cents: number, currency: string) => formatMoney(cents, currency, "en-US");

async function addHistory(tx: MypageTx, e: EventEnvelope<EventType>, reservationId: string, kind: string, description: string) {
  await tx.statusChange.createMany({
    data: [{ eventId: e.id, reservationId, at: new Date(e.occurredAt), kind, description }],
    skipDuplicates: true,
  });
}

/**
 * Serialises the projections of one booking (until commit): without it, an event could look for
 * the booking while the booking's own transaction is inserting it, and park itself after that
 * transaction had already applied the parked events.
 */
async function lockBooking(tx: MypageTx, reservationId: string) {
  await lockBookings(tx, [reservationId]);
}

/** lockBooking for several bookings, always in the same order (ids sorted), so lockers never deadlock. */
export async function lockBookings(tx: MypageTx, reservationIds: string[]) {
  if (!reservationIds.length) return;
  await tx.$executeRawUnsafe(
    `SELECT pg_advisory_xact_lock(hashtextextended(id, 7)) FROM (SELECT DISTINCT unnest($1::text[]) AS id ORDER BY 1) AS ids`,
    reservationIds,
  );
}

/** The booking an event is about (none for screening events). */
export const bookingOf = (e: EventEnvelope<EventType>): string | undefined => (e.data as { reservationId?: string }).reservationId;

async function updateBooking(tx: MypageTx, reservationId: string, where: object, data: object): Promise<void> {
  await tx.myReservation.updateMany({ where: { reservationId, ...where }, data });
}

/**
 * Events about a booking can arrive before the booking itself (each subject has its own consumer,
 * and nothing orders them across subjects). Such an event is parked, acknowledged, and applied in
 * the transaction that projects the booking: never retried into the dead-letter subject.
 */
async function parkedUntilBooked(tx: MypageTx, e: EventEnvelope<EventType>, reservationId: string): Promise<boolean> {
  await lockBooking(tx, reservationId);
  if (await tx.myReservation.findUnique({ where: { reservationId }, select: { reservationId: true } })) return false;
  await tx.earlyEvent.createMany({ data: [{ eventId: e.id, reservationId, payload: e as object }], skipDuplicates: true });
  return true;
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
  await lockBooking(tx, d.reservationId);
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
  const early = await tx.earlyEvent.findMany({ where: { reservationId: d.reservationId } });
  const inOrder = early.map((row) => row.payload as unknown as EventEnvelope<FollowUp>).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  for (const event of inOrder) await (FOLLOW_UPS[event.type] as Projector<FollowUp>)(tx, event);
  if (early.length) await tx.earlyEvent.deleteMany({ where: { reservationId: d.reservationId } });
  return d.reservationId;
}

export async function projectTicketIssued(tx: MypageTx, e: EventEnvelope<"ticket.issued">): Promise<string | null> {
  const d = e.data;
  if (await parkedUntilBooked(tx, e, d.reservationId)) return null;
  // A ticket voided by a cancellation stays VOID even if its issue event comes late.
  await updateBooking(tx, d.reservationId, { ticketStatus: null }, { ticketStatus: "ISSUED", ticketCode: d.code, updatedAt: new Date(e.occurredAt) });
  await addHistory(tx, e, d.reservationId, "TICKET_ISSUED", `Ticket ${d.code} issued`);
  return d.reservationId;
}

export async function projectCancelled(tx: MypageTx, e: EventEnvelope<"reservation.cancelled">): Promise<string | null> {
  const d = e.data;
  if (await parkedUntilBooked(tx, e, d.reservationId)) return null;
  await updateBooking(
    tx,
    d.reservationId,
    { version: { lt: e.aggregateVersion } },
    { reservationStatus: "CANCELLED", ticketStatus: "VOID", version: e.aggregateVersion, updatedAt: new Date(e.occurredAt) },
  );
  await addHistory(tx, e, d.reservationId, "CANCELLED", "Booking cancelled; the ticket is void and a refund is on its way");
  return d.reservationId;
}

export async function projectRefunded(tx: MypageTx, e: EventEnvelope<"payment.refunded">): Promise<string | null> {
  const d = e.data;
  if (await parkedUntilBooked(tx, e, d.reservationId)) return null;
  await updateBooking(tx, d.reservationId, {}, { paymentStatus: "REFUNDED", refundedAmountCents: d.amountCents, updatedAt: new Date(e.occurredAt) });
  await addHistory(tx, e, d.reservationId, "REFUNDED", `Refunded ${money(d.amountCents, d.currency)}`);
  return d.reservationId;
}

export async function projectSeatsReleased(tx: MypageTx, e: EventEnvelope<"seat.released">): Promise<string | null> {
  const d = e.data;
  if (await parkedUntilBooked(tx, e, d.reservationId)) return null;
  await updateBooking(tx, d.reservationId, {}, { seatsReleased: true, updatedAt: new Date(e.occurredAt) });
  await addHistory(tx, e, d.reservationId, "SEATS_RELEASED", d.seats.length ? `Seats ${d.seats.join(", ")} are back on sale` : "Seats released");
  return d.reservationId;
}

type FollowUp = "ticket.issued" | "reservation.cancelled" | "payment.refunded" | "seat.released";
type Projector<T extends EventType> = (tx: MypageTx, e: EventEnvelope<T>) => Promise<string | null>;
const FOLLOW_UPS: { [T in FollowUp]: Projector<T> } = {
  "ticket.issued": projectTicketIssued,
  "reservation.cancelled": projectCancelled,
  "payment.refunded": projectRefunded,
  "seat.released": projectSeatsReleased,
};
