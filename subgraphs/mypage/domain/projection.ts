import { formatMoney } from "@cinema/platform/money";
import type { EventEnvelope, EventType } from "@cinema/platform/events";
import type { MypageTx } from "../data.ts";
import { Prisma } from "../generated/prisma/client.ts";


const money = (cents: number, currency: string) => formatMoney(cents, currency, "en-US");

/**
 * The projections of one booking are serialised until commit: without it, an event could look for
 * the booking while the booking's own transaction is inserting it, and park itself after that
 * transaction had already applied the parked events. The consumers lock every booking of a batch
 * (lockBookings) before projecting it; the projections below assume that lock is held.
 * Each projection of a booking event is one statement: they run for every booking.
 */
export async function lockBookings(tx: MypageTx, reservationIds: string[]) {
  if (!reservationIds.length) return;
  // Always in the same order (ids sorted), so two batches never wait on each other in a cycle.
  await tx.$executeRawUnsafe(
    `SELECT pg_advisory_xact_lock(hashtextextended(id, 7)) FROM (SELECT DISTINCT unnest($1::text[]) AS id ORDER BY 1) AS ids`,
    reservationIds,
  );
}

/** The booking an event is about (none for screening events). */
export const bookingOf = (e: EventEnvelope<EventType>): string | undefined => (e.data as { reservationId?: string }).reservationId;

/**
 * A follow-up event (ticket, cancellation, refund, release) on a booking, in one statement: the
 * change where `where` holds (none: only the time it changed), one line of history, or, when the booking has not arrived yet, the
 * event parked (acknowledged, and applied in the transaction that projects the booking: events
 * about a booking can arrive before the booking itself, nothing orders them across subjects).
 * Returns the booking's id when it exists.
 */
async function followUp(
  tx: MypageTx,
  e: EventEnvelope<FollowUp>,
  change: { set?: Prisma.Sql; where?: Prisma.Sql; kind: string; description: string },
): Promise<string | null> {
  const id = e.data.reservationId;
  const at = new Date(e.occurredAt);
  const rows = await tx.$queryRaw<{ booked: boolean }[]>`
    WITH booking AS (SELECT "reservation_id" FROM "my_reservation" WHERE "reservation_id" = ${id}::uuid),
    changed AS (
      UPDATE "my_reservation" SET ${change.set ? Prisma.sql`${change.set}, ` : Prisma.empty}"updated_at" = ${at}
      WHERE "reservation_id" IN (SELECT "reservation_id" FROM booking) AND ${change.where ?? Prisma.sql`TRUE`}
    ),
    history AS (
      INSERT INTO "status_change" ("event_id", "reservation_id", "at", "kind", "description")
      SELECT ${e.id}::uuid, "reservation_id", ${at}, ${change.kind}, ${change.description} FROM booking
      ON CONFLICT DO NOTHING
    ),
    parked AS (
      INSERT INTO "early_event" ("event_id", "reservation_id", "payload")
      SELECT ${e.id}::uuid, ${id}::uuid, ${JSON.stringify(e)}::jsonb WHERE NOT EXISTS (SELECT 1 FROM booking)
      ON CONFLICT DO NOTHING
    )
    SELECT EXISTS (SELECT 1 FROM booking) AS "booked"`;
  return rows[0]?.booked ? id : null;
}

/** Keeps the screening facts my page shows, so it never has to ask the movie subgraph. */
export async function projectScreening(tx: MypageTx, e: EventEnvelope<"movie.screening-scheduled">): Promise<string | null> {
  const { screeningId, movieId, movieTitle, auditoriumName, startsAt } = e.data;
  // Events from before cinemas existed have no cinema name.
  const cinemaName = e.data.cinemaName ?? null;
  const info = { movieId, movieTitle, auditoriumName, cinemaName, startsAt: new Date(startsAt) };
  await tx.screeningInfo.upsert({ where: { screeningId }, create: { screeningId, ...info }, update: info });
  // Bookings that arrived before their screening's event get the facts now.
  await tx.myReservation.updateMany({ where: { screeningId }, data: { movieTitle, auditoriumName, cinemaName, screeningStartsAt: new Date(startsAt) } });
  return null;
}

/** A confirmed booking appears on my page, then whatever arrived for it early is applied in order. */
export async function projectConfirmed(tx: MypageTx, e: EventEnvelope<"reservation.confirmed">): Promise<string> {
  const d = e.data;
  const at = new Date(e.occurredAt);
  const early = await tx.$queryRaw<{ payload: EventEnvelope<FollowUp> }[]>`
    WITH booking AS (
      INSERT INTO "my_reservation" ("reservation_id", "customer_id", "screening_id", "movie_title", "auditorium_name", "cinema_name", "screening_starts_at",
        "seats", "lines", "amount_cents", "currency", "reservation_status", "payment_status", "version", "booked_at", "updated_at")
      SELECT ${d.reservationId}::uuid, ${d.customerId}, ${d.screeningId}::uuid, s."movie_title", s."auditorium_name", s."cinema_name", s."starts_at",
        ${d.seats}::text[], ${d.lines ? JSON.stringify(d.lines) : null}::jsonb, ${d.amountCents}::int, ${d.currency}, 'CONFIRMED', 'CAPTURED', ${e.aggregateVersion}::int, ${at}, ${at}
      FROM (VALUES (1)) AS one LEFT JOIN "screening_info" s ON s."screening_id" = ${d.screeningId}::uuid
      ON CONFLICT DO NOTHING
      RETURNING "reservation_id"
    ),
    history AS (
      INSERT INTO "status_change" ("event_id", "reservation_id", "at", "kind", "description")
      SELECT ${e.id}::uuid, "reservation_id", ${at}, 'CONFIRMED', ${`Booked ${d.seats.join(", ")} for ${money(d.amountCents, d.currency)}`} FROM booking
      ON CONFLICT DO NOTHING
    )
    SELECT "payload" FROM "early_event" WHERE "reservation_id" = ${d.reservationId}::uuid`;
  if (early.length) {
    const inOrder = early.map((row) => row.payload).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    for (const event of inOrder) await (FOLLOW_UPS[event.type] as Projector<FollowUp>)(tx, event);
    await tx.$executeRaw`DELETE FROM "early_event" WHERE "reservation_id" = ${d.reservationId}::uuid`;
  }
  return d.reservationId;
}

export const projectTicketIssued = (tx: MypageTx, e: EventEnvelope<"ticket.issued">) =>
  followUp(tx, e, {
    set: Prisma.sql`"ticket_status" = 'ISSUED', "ticket_code" = ${e.data.code}`,
    // A ticket voided by a cancellation stays VOID even if its issue event comes late.
    where: Prisma.sql`"ticket_status" IS NULL`,
    kind: "TICKET_ISSUED",
    description: `Ticket ${e.data.code} issued`,
  });

/**
 * The booking as it was when cancelled: a partial cancellation before it can arrive after it (another
 * subject) and is then skipped as older, so this event sets the seats and amount it carries.
 */
export const projectCancelled = (tx: MypageTx, e: EventEnvelope<"reservation.cancelled">) =>
  followUp(tx, e, {
    set: Prisma.sql`"reservation_status" = 'CANCELLED', "ticket_status" = 'VOID', "seats" = ${e.data.seats}::text[], "amount_cents" = ${e.data.amountCents}::int,
      ${e.data.lines ? Prisma.sql`"lines" = ${JSON.stringify(e.data.lines)}::jsonb, ` : Prisma.empty}"version" = ${e.aggregateVersion}::int`,
    // An older event arriving late never overwrites a newer one.
    where: Prisma.sql`"version" < ${e.aggregateVersion}::int`,
    kind: "CANCELLED",
    description: "Booking cancelled; the ticket is void and a refund is on its way",
  });

/** A refund: of the whole booking (payment REFUNDED) or of some cancelled seats (`seats`: the booking goes on). Refunds add up. */
export const projectRefunded = (tx: MypageTx, e: EventEnvelope<"payment.refunded">) => {
  const added = Prisma.sql`"refunded_amount_cents" = COALESCE("refunded_amount_cents", 0) + ${e.data.amountCents}::int`;
  return followUp(tx, e, {
    set: e.data.seats ? added : Prisma.sql`"payment_status" = 'REFUNDED', ${added}`,
    kind: "REFUNDED",
    description: e.data.seats
      ? `Refunded ${money(e.data.amountCents, e.data.currency)} for ${e.data.seats.join(", ")}`
      : `Refunded ${money(e.data.amountCents, e.data.currency)}`,
  });
};

export const projectSeatsReleased = (tx: MypageTx, e: EventEnvelope<"seat.released">) =>
  followUp(tx, e, {
    // Some seats of a booking that goes on: the booking's seats are not released, only its history says so.
    ...(!e.data.cancellationId && { set: Prisma.sql`"seats_released" = TRUE` }),
    kind: "SEATS_RELEASED",
    description: e.data.seats.length ? `Seats ${e.data.seats.join(", ")} are back on sale` : "Seats released",
  });

/** Some seats cancelled: the booking keeps the rest (seats, lines, amount, the reissued ticket). */
export const projectSeatsCancelled = (tx: MypageTx, e: EventEnvelope<"reservation.seats-cancelled">) => {
  const d = e.data;
  const back = d.refundCents > 0 ? `; ${money(d.refundCents, d.currency)} will be refunded` : "";
  const vouchers = d.vouchers?.length ? `; voucher ${d.vouchers.join(", ")} can be used again` : "";
  return followUp(tx, e, {
    set: Prisma.sql`"seats" = ${d.remainingSeats}::text[], "lines" = ${JSON.stringify(d.lines)}::jsonb, "amount_cents" = ${d.amountCents}::int,
      "version" = ${e.aggregateVersion}::int${d.ticketCode ? Prisma.sql`, "ticket_status" = 'ISSUED', "ticket_code" = ${d.ticketCode}` : Prisma.empty}`,
    where: Prisma.sql`"version" < ${e.aggregateVersion}::int`,
    kind: "SEATS_CANCELLED",
    description: `Seats ${d.seats.join(", ")} cancelled${back}${vouchers}${d.ticketCode ? `; new ticket ${d.ticketCode} for ${d.remainingSeats.join(", ")}` : ""}`,
  });
};

type FollowUp = "ticket.issued" | "reservation.cancelled" | "reservation.seats-cancelled" | "payment.refunded" | "seat.released";
type Projector<T extends EventType> = (tx: MypageTx, e: EventEnvelope<T>) => Promise<string | null>;
const FOLLOW_UPS: { [T in FollowUp]: Projector<T> } = {
  "ticket.issued": projectTicketIssued,
  "reservation.cancelled": projectCancelled,
  "reservation.seats-cancelled": projectSeatsCancelled,
  "payment.refunded": projectRefunded,
  "seat.released": projectSeatsReleased,
};

/** Every event my page is fed by. */
export const MYPAGE_EVENTS = [
  "movie.screening-scheduled",
  "reservation.confirmed",
  "ticket.issued",
  "reservation.cancelled",
  "reservation.seats-cancelled",
  "payment.refunded",
  "seat.released",
] as const;
type MypageEvent = (typeof MYPAGE_EVENTS)[number];
const PROJECTORS: { [T in MypageEvent]: Projector<T> } = {
  "movie.screening-scheduled": projectScreening,
  "reservation.confirmed": projectConfirmed,
  ...FOLLOW_UPS,
};

/** Applies one event of any of my page's types (a rebuild's replay mixes them); returns the booking it changed. */
export const projectMypageEvent = (tx: MypageTx, e: EventEnvelope<EventType>): Promise<string | null> =>
  (PROJECTORS[e.type as MypageEvent] as Projector<EventType>)(tx, e);
