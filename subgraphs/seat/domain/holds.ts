import { AppError, ErrorCode, badInput, seatsTaken, serviceUnavailable } from "@cinema/platform/errors";
import type { SeatClass } from "@cinema/platform/events";
import { pgErrorCode } from "@cinema/platform/db";
import { intEnv } from "@cinema/platform/config";
import type { SeatDb } from "../data.ts";
import { pairRuleRefusal, type PairedSeat } from "@cinema/platform/seat-pairs";
import { pairRuleHolds } from "./pair-rules.ts";

const holdSeconds = () => intEnv("SEAT_HOLD_SECONDS", 600);
/** A seat counts as free when AVAILABLE, or HELD by a hold that has run out (never when BLOCKED). */
export const FREE = `(status = 'AVAILABLE' OR (status = 'HELD' AND hold_expires_at < now()))`;

/** Deadlocks and serialization failures are safe to retry: the statement had no effect. */
async function withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = pgErrorCode(err);
      if (i >= attempts || (code !== "40P01" && code !== "40001")) throw err;
    }
  }
}

/** A held seat and its class (the saga prices it). */
export interface HeldSeat {
  label: string;
  seatClass: SeatClass;
}

/**
 * Holds all the seats or none, in one statement with no lock kept afterwards: the wanted rows are
 * locked in seat-map order (so concurrent holds cannot deadlock), and they are updated only if
 * every one of them is free or already held by this reservation (a retried hold is harmless) and
 * every couple or companion seat comes with its pair. BLOCKED seats are never free.
 */
export async function holdSeats(db: SeatDb, reservationId: string, screeningId: string, labels: string[]): Promise<HeldSeat[]> {
  const held = await withRetry(() =>
    db.$queryRawUnsafe<HeldSeat[]>(
      `WITH wanted AS (
         SELECT screening_id, label, status, reservation_id, hold_expires_at, seat_class, pair_label FROM seat
          WHERE screening_id = $1::uuid AND label = ANY($2::text[])
          ORDER BY position
            FOR UPDATE
       ), verdict AS (
         SELECT count(*) = $3
                AND bool_and(${FREE} OR (status = 'HELD' AND reservation_id = $4::uuid))
                AND bool_and(${pairRuleHolds("$2::text[]")}) AS ok
           FROM wanted
       )
       UPDATE seat s
          SET status = 'HELD', reservation_id = $4::uuid, hold_expires_at = now() + make_interval(secs => $5), updated_at = now()
         FROM wanted, verdict
        WHERE verdict.ok AND s.screening_id = wanted.screening_id AND s.label = wanted.label
       RETURNING s.label, s.seat_class::text AS "seatClass"`,
      screeningId,
      labels,
      labels.length,
      reservationId,
      holdSeconds(),
    ),
  );
  if (held.length === labels.length) return held;
  throw await whyNotHeld(db, screeningId, labels);
}

/**
 * Explains a refused hold, in this order: no seat map yet, seats that do not exist, a couple or
 * companion seat without its pair, seats someone else has or that are blocked from sale.
 */
async function whyNotHeld(db: SeatDb, screeningId: string, labels: string[]): Promise<AppError> {
  const inventory = await db.screeningInventory.findUnique({ where: { screeningId } });
  if (!inventory) return serviceUnavailable("The seat map of this screening is still being prepared; please try again in a moment.");
  const rows = await db.$queryRawUnsafe<(PairedSeat & { free: boolean; sold: boolean; blocked: boolean })[]>(
    `SELECT label, seat_class::text AS "seatClass", pair_label AS "pairLabel",
            ${FREE} AS free, status = 'SOLD' AS sold, status = 'BLOCKED' AS blocked
       FROM seat WHERE screening_id = $1::uuid AND label = ANY($2::text[]) ORDER BY position`,
    screeningId,
    labels,
  );
  const known = new Set(rows.map((r) => r.label));
  const unknown = labels.filter((l) => !known.has(l));
  if (unknown.length) return badInput("input.seats", `This screening has no seat ${unknown.join(", ")}.`);
  const pairRefusal = pairRuleRefusal(rows, labels);
  if (pairRefusal) return pairRefusal;
  return seatsTaken(
    rows.filter((r) => !r.free).map((r) => r.label),
    rows.filter((r) => r.sold).map((r) => r.label),
    rows.filter((r) => r.blocked).map((r) => r.label),
  );
}

/**
 * The reservation's held seats become SOLD, all or none: if a hold ran out and a seat went to
 * someone else, nothing is sold and the saga refunds. Repeating a confirm is harmless.
 */
export async function confirmSeats(db: SeatDb, reservationId: string, count: number): Promise<{ screeningId: string; labels: string[] }> {
  // One statement: lock the reservation's seats, and sell the held ones only if, with those it
  // already bought (a repeated confirm), they are exactly the seats it asked for.
  const rows = await db.$queryRawUnsafe<{ label: string; screening_id: string }[]>(
    `WITH mine AS (
       SELECT screening_id, label, status FROM seat
        WHERE reservation_id = $1::uuid AND status IN ('HELD', 'SOLD') ORDER BY position FOR UPDATE
     ), verdict AS (SELECT count(*) = $2 AS ok FROM mine),
     sold AS (
       UPDATE seat s SET status = 'SOLD', hold_expires_at = NULL, updated_at = now()
         FROM mine, verdict
        WHERE verdict.ok AND mine.status = 'HELD' AND s.screening_id = mine.screening_id AND s.label = mine.label
       RETURNING s.label
     )
     SELECT mine.label, mine.screening_id::text FROM mine, verdict WHERE verdict.ok`,
    reservationId,
    count,
  );
  if (rows.length !== count || count === 0) {
    throw new AppError(ErrorCode.SEAT_UNAVAILABLE, "Your seat hold ran out before payment finished; the seats are no longer yours.");
  }
  return { screeningId: rows[0]!.screening_id, labels: rows.map((r) => r.label) };
}

export interface Released {
  screeningId: string | null;
  labels: string[];
}

/**
 * Gives a reservation's seats back (a failed booking's, or a cancelled one's after its refund).
 * Repeating it releases nothing more.
 */
export async function releaseSeats(
  db: Pick<SeatDb, "$queryRawUnsafe">,
  reservationId: string,
  statuses: ("HELD" | "SOLD")[],
  /** Only these seats of the booking (a partial cancellation); all of them when absent. */
  labels?: string[],
): Promise<Released> {
  const rows = await db.$queryRawUnsafe<{ label: string; screening_id: string }[]>(
    `UPDATE seat SET status = 'AVAILABLE', reservation_id = NULL, hold_expires_at = NULL, updated_at = now()
      WHERE reservation_id = $1::uuid AND status::text = ANY($2::text[]) AND ($3::text[] IS NULL OR label = ANY($3::text[]))
      RETURNING label, screening_id::text`,
    reservationId,
    statuses,
    labels ?? null,
  );
  return { screeningId: rows[0]?.screening_id ?? null, labels: rows.map((r) => r.label) };
}

/** Normalises holds that ran out (they already count as free; this keeps the table honest). */
export async function sweepExpiredHolds(db: SeatDb): Promise<number> {
  return db.$executeRawUnsafe(
    `UPDATE seat SET status = 'AVAILABLE', reservation_id = NULL, hold_expires_at = NULL, updated_at = now()
      WHERE status = 'HELD' AND hold_expires_at < now()`,
  );
}
