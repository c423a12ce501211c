import type { EventEnvelope, EventType } from "@cinema/platform/events";
import { wallClock } from "@cinema/platform/time-zone";
import type { MypageTx } from "../data.ts";

/**
 * The staff dashboard's read model, fed only by events (never by asking the subgraphs that own the
 * facts). A booking's row is written by four events, a screening's by three, each setting only its
 * own columns in one upsert (sets are merged, not replaced): whatever order they arrive in (nothing
 * orders them across subjects), and however often, the row ends the same. So no booking lock and no
 * parking of early events is needed here.
 */

/** YYYY-MM-DD of `instant` on the cinema's wall clock. */
export function localDay(instant: Date, timeZone: string): string {
  const c = wallClock(instant, timeZone);
  return `${c.year}-${String(c.month).padStart(2, "0")}-${String(c.day).padStart(2, "0")}`;
}

/** A screening as scheduled: its cinema, movie, local day and seats for sale. */
export async function projectDashboardScreening(tx: MypageTx, e: EventEnvelope<"movie.screening-scheduled">): Promise<string> {
  const d = e.data;
  // Events from before cinemas and drawn layouts carry neither: no cinema, and rows × seats on sale.
  const timeZone = d.timeZone ?? "UTC";
  const seatsForSale = Array.isArray(d.seats) ? d.seats.filter((s) => !s.blocked).length : d.rows * d.seatsPerRow;
  const startsAt = new Date(d.startsAt);
  const facts = {
    cinemaId: d.cinemaId ?? null,
    cinemaName: d.cinemaName ?? null,
    timeZone,
    movieId: d.movieId,
    movieTitle: d.movieTitle,
    auditoriumName: d.auditoriumName,
    startsAt,
    localDay: localDay(startsAt, timeZone),
    seatsForSale,
    currency: d.currency,
    scheduled: true,
  };
  // Seats staff blocked or opened since (seat.seats-blocked, possibly arrived first) outrank the layout's count.
  const { seatsForSale: _layoutCount, ...otherFacts } = facts;
  await tx.dashboardScreening.upsert({ where: { screeningId: d.screeningId }, create: { screeningId: d.screeningId, ...facts }, update: otherFacts });
  await tx.dashboardScreening.updateMany({ where: { screeningId: d.screeningId, forSaleVersion: 0 }, data: { seatsForSale } });
  return d.screeningId;
}

/**
 * Staff blocked seats or opened them again: the screening's seats for sale are the newest count
 * (by the event's version; an older one arriving late changes nothing). Before the screening's own
 * event, the row is started hidden (scheduled = false) and that event keeps this count.
 */
export async function projectDashboardSeatsBlocked(tx: MypageTx, e: EventEnvelope<"seat.seats-blocked">): Promise<string> {
  const d = e.data;
  await tx.$executeRaw`
    INSERT INTO "dashboard_screening" ("screening_id", "scheduled", "time_zone", "movie_id", "movie_title", "auditorium_name", "starts_at", "local_day", "currency",
      "seats_for_sale", "for_sale_version")
    VALUES (${d.screeningId}::uuid, FALSE, 'UTC', '', '', '', ${new Date(0)}, '', '', ${d.forSale}::int, ${e.aggregateVersion}::int)
    ON CONFLICT ("screening_id") DO UPDATE SET "seats_for_sale" = EXCLUDED."seats_for_sale", "for_sale_version" = EXCLUDED."for_sale_version"
      WHERE "dashboard_screening"."for_sale_version" < EXCLUDED."for_sale_version"`;
  return d.screeningId;
}

/**
 * Staff called the screening off: none of its seats is for sale from now on (seat closes them all).
 * Should this arrive before the screening's own event, the row is started from what this event
 * knows and kept out of the figures (scheduled = false) until that event fills it in.
 */
export async function projectDashboardScreeningCancelled(tx: MypageTx, e: EventEnvelope<"movie.screening-cancelled">): Promise<string> {
  const d = e.data;
  const cancelledAt = new Date(e.occurredAt);
  const startsAt = new Date(d.startsAt);
  await tx.dashboardScreening.upsert({
    where: { screeningId: d.screeningId },
    create: {
      screeningId: d.screeningId,
      scheduled: false,
      cancelledAt,
      cinemaName: d.cinemaName,
      timeZone: d.timeZone,
      movieId: "",
      movieTitle: d.movieTitle,
      auditoriumName: "",
      startsAt,
      localDay: localDay(startsAt, d.timeZone),
      seatsForSale: 0,
      currency: "",
    },
    update: { cancelledAt },
  });
  return d.screeningId;
}

/** A booking sold: its seats and the money the card paid (its amount: a voucher's seat is not money taken now). */
export async function projectDashboardConfirmed(tx: MypageTx, e: EventEnvelope<"reservation.confirmed">): Promise<string> {
  const d = e.data;
  await tx.$executeRaw`
    INSERT INTO "dashboard_booking" ("reservation_id", "screening_id", "seat_count", "amount_cents", "currency", "confirmed")
    VALUES (${d.reservationId}::uuid, ${d.screeningId}::uuid, ${d.seats.length}::int, ${d.amountCents}::int, ${d.currency}, TRUE)
    ON CONFLICT ("reservation_id") DO UPDATE SET "screening_id" = EXCLUDED."screening_id", "seat_count" = EXCLUDED."seat_count",
      "amount_cents" = EXCLUDED."amount_cents", "currency" = EXCLUDED."currency", "confirmed" = TRUE`;
  return d.screeningId;
}

/** A booking cancelled: its seats are no longer sold (the money stays until it is refunded). */
export async function projectDashboardCancelled(tx: MypageTx, e: EventEnvelope<"reservation.cancelled">): Promise<string> {
  const d = e.data;
  // The cancellation names the screening too, so a row it creates before the booking's own event is already placed.
  await tx.$executeRaw`
    INSERT INTO "dashboard_booking" ("reservation_id", "screening_id", "cancelled") VALUES (${d.reservationId}::uuid, ${d.screeningId}::uuid, TRUE)
    ON CONFLICT ("reservation_id") DO UPDATE SET "cancelled" = TRUE`;
  return d.screeningId;
}

/** Some seats of a booking cancelled, the rest kept: those seats are no longer sold (on sale again). */
export async function projectDashboardSeatsCancelled(tx: MypageTx, e: EventEnvelope<"reservation.seats-cancelled">): Promise<string> {
  const d = e.data;
  // A union, not the event's remainingSeats: two partial cancellations may arrive in either order.
  await tx.$executeRaw`
    INSERT INTO "dashboard_booking" ("reservation_id", "screening_id", "cancelled_seats") VALUES (${d.reservationId}::uuid, ${d.screeningId}::uuid, ${d.seats}::text[])
    ON CONFLICT ("reservation_id") DO UPDATE SET "cancelled_seats" =
      ARRAY(SELECT DISTINCT unnest(coalesce("dashboard_booking"."cancelled_seats", '{}') || EXCLUDED."cancelled_seats") ORDER BY 1)`;
  return d.screeningId;
}

/**
 * Money given back: revenue is what was captured minus what was refunded. A whole booking's
 * refund sets its column; a partial cancellation's refund (with seats) is kept by cancellation,
 * and their sum is what those refunds gave back.
 */
export async function projectDashboardRefunded(tx: MypageTx, e: EventEnvelope<"payment.refunded">): Promise<string | null> {
  const d = e.data;
  const rows = d.seats
    ? await tx.$queryRaw<{ screening_id: string | null }[]>`
        INSERT INTO "dashboard_booking" ("reservation_id", "partial_refunds", "partial_refunded_cents")
        VALUES (${d.reservationId}::uuid, jsonb_build_object(${d.cancellationId ?? e.id}::text, ${d.amountCents}::int), ${d.amountCents}::int)
        ON CONFLICT ("reservation_id") DO UPDATE SET
          "partial_refunds" = "dashboard_booking"."partial_refunds" || EXCLUDED."partial_refunds",
          "partial_refunded_cents" = (SELECT coalesce(sum(value::int), 0) FROM jsonb_each_text("dashboard_booking"."partial_refunds" || EXCLUDED."partial_refunds"))
        RETURNING "screening_id"::text`
    : await tx.$queryRaw<{ screening_id: string | null }[]>`
        INSERT INTO "dashboard_booking" ("reservation_id", "refunded_cents") VALUES (${d.reservationId}::uuid, ${d.amountCents}::int)
        ON CONFLICT ("reservation_id") DO UPDATE SET "refunded_cents" = EXCLUDED."refunded_cents"
        RETURNING "screening_id"::text`;
  return rows[0]?.screening_id ?? null;
}

export const DASHBOARD_EVENTS = [
  "movie.screening-scheduled",
  "movie.screening-cancelled",
  "reservation.confirmed",
  "reservation.cancelled",
  "reservation.seats-cancelled",
  "payment.refunded",
  "seat.seats-blocked",
] as const;
type DashboardEvent = (typeof DASHBOARD_EVENTS)[number];
type Projector<T extends EventType> = (tx: MypageTx, e: EventEnvelope<T>) => Promise<string | null>;
const PROJECTORS: { [T in DashboardEvent]: Projector<T> } = {
  "movie.screening-scheduled": projectDashboardScreening,
  "movie.screening-cancelled": projectDashboardScreeningCancelled,
  "reservation.confirmed": projectDashboardConfirmed,
  "reservation.cancelled": projectDashboardCancelled,
  "reservation.seats-cancelled": projectDashboardSeatsCancelled,
  "payment.refunded": projectDashboardRefunded,
  "seat.seats-blocked": projectDashboardSeatsBlocked,
};

/** Applies one dashboard event; returns the screening whose figures it moved (when known). */
export const projectDashboardEvent = (tx: MypageTx, e: EventEnvelope<EventType>): Promise<string | null> =>
  (PROJECTORS[e.type as DashboardEvent] as Projector<EventType>)(tx, e);
