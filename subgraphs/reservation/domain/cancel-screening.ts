import { intEnv } from "@cinema/platform/config";
import type { EventEnvelope } from "@cinema/platform/events";
import { logger } from "@cinema/platform/logger";
import { periodicJob } from "@cinema/platform/subgraph";
import type { ReservationDb, ReservationTx } from "../data.ts";
import type { ReserveDeps } from "./reserve.ts";
import { cancelBooking } from "./cancel.ts";

/** Bookings cancelled per transaction: a crash loses at most one batch's work, redone by the next run. */
const BATCH = 25;

/** `movie.screening-cancelled` arrived: remember the work (once per screening), in the consumer's transaction. */
export async function recordScreeningCancelled(tx: ReservationTx, e: EventEnvelope<"movie.screening-cancelled">): Promise<void> {
  const { screeningId, reason, cancelledBy } = e.data;
  await tx.$executeRaw`
    INSERT INTO "screening_cancellation" ("screening_id", "reason", "cancelled_by", "requested_at")
    VALUES (${screeningId}::uuid, ${reason}, ${cancelledBy}, ${new Date(e.occurredAt)})
    ON CONFLICT ("screening_id") DO NOTHING`;
}

/**
 * Cancels every CONFIRMED booking of a screening staff called off, through the one cancellation
 * path (ticket VOID, CANCELLED, `reservation.cancelled` → refund → seats), `BATCH` per
 * transaction. Each booking is cancelled once: its row is locked and must still be CONFIRMED
 * (a customer cancelling it at the same moment wins or loses cleanly; SKIP LOCKED leaves it to the
 * next run). A booking still PENDING is left to its saga, which the closed seats and the movie's
 * refusal make fail, or which confirms and is cancelled by the next run. Finished (finished_at)
 * once no booking of the screening is CONFIRMED or PENDING and no saga can still start from a stale
 * copy of the screening. Safe to run anywhere, any number of times.
 */
export async function finishScreeningCancellation(deps: Pick<ReserveDeps, "db" | "relay">, screeningId: string): Promise<boolean> {
  const job = await deps.db.screeningCancellation.findUnique({ where: { screeningId } });
  if (!job) return false;
  if (job.finishedAt) return true;
  for (;;) {
    const cancelled = await deps.db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM "reservation" WHERE "screening_id" = ${screeningId}::uuid AND "status" = 'CONFIRMED'
         ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
      if (locked.length === 0) return 0;
      const bookings = await tx.reservation.findMany({ where: { id: { in: locked.map((r) => r.id) } } });
      for (const r of bookings) await cancelBooking(tx, r, { cancelledBy: job.cancelledBy, reason: "SCREENING_CANCELLED", note: job.reason });
      return bookings.length;
    });
    if (cancelled === 0) break;
    void deps.relay.kick();
  }
  const left = await deps.db.reservation.count({ where: { screeningId, status: { in: ["CONFIRMED", "PENDING"] } } });
  if (left > 0) return false;
  // A saga may still start from a copy of the screening cached before it was called off (clients.ts,
  // SCREENING_CACHE_SECONDS): not finished until no such copy can be left.
  if (Date.now() < job.requestedAt.getTime() + (intEnv("SCREENING_CACHE_SECONDS", 10) + 1) * 1000) return false;
  await deps.db.screeningCancellation.updateMany({ where: { screeningId, finishedAt: null }, data: { finishedAt: new Date() } });
  logger.info({ screeningId }, "screening cancelled: every booking cancelled");
  return true;
}

/**
 * Runs the unfinished screening cancellations: at once when the event arrives (`kick`), and every
 * SCREENING_CANCEL_SWEEP_SECONDS (2) so that a process that died midway, or a saga that confirmed
 * late, is finished. One run at a time per process.
 */
export function screeningCancellations(deps: Pick<ReserveDeps, "db" | "relay">) {
  let running: Promise<void> | null = null;
  let again = false;
  const runAll = async () => {
    const open = await deps.db.screeningCancellation.findMany({ where: { finishedAt: null }, select: { screeningId: true }, take: 100 });
    for (const { screeningId } of open) await finishScreeningCancellation(deps, screeningId);
  };
  const kick = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await runAll();
        } while (again);
      } catch (err) {
        logger.warn({ err }, "screening cancellations paused; will retry");
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return { kick, job: periodicJob("screening cancellations", intEnv("SCREENING_CANCEL_SWEEP_SECONDS", 2), kick) };
}

export interface ScreeningCancellationProgress {
  screeningId: string;
  reason: string;
  requestedAt: Date;
  finishedAt: Date | null;
  /** Bookings the cancellation concerns: those it cancelled and those still to cancel. */
  total: number;
  cancelled: number;
  /** Of those cancelled, the ones payment has refunded. */
  refunded: number;
}

/** Where a screening's cancellation stands, counted from the bookings themselves (null: none under way). */
export async function screeningCancellationProgress(db: ReservationDb, screeningId: string): Promise<ScreeningCancellationProgress | null> {
  const job = await db.screeningCancellation.findUnique({ where: { screeningId } });
  if (!job) return null;
  const [counts] = await db.$queryRaw<{ left: number; cancelled: number; refunded: number }[]>`
    SELECT count(*) FILTER (WHERE "status" IN ('CONFIRMED', 'PENDING'))::int AS "left",
           count(*) FILTER (WHERE "cancel_reason" = 'SCREENING_CANCELLED')::int AS "cancelled",
           count(*) FILTER (WHERE "cancel_reason" = 'SCREENING_CANCELLED' AND "refunded_at" IS NOT NULL)::int AS "refunded"
      FROM "reservation" WHERE "screening_id" = ${screeningId}::uuid`;
  const { left = 0, cancelled = 0, refunded = 0 } = counts ?? {};
  return { screeningId, reason: job.reason, requestedAt: job.requestedAt, finishedAt: job.finishedAt, total: left + cancelled, cancelled, refunded };
}

/** payment.refunded: the booking's money went back (progress of a screening's cancellation counts it). */
export async function recordRefunded(tx: ReservationTx, e: EventEnvelope<"payment.refunded">): Promise<void> {
  if (e.data.cancellationId) return; // some seats' refund: the booking goes on
  await tx.$executeRaw`UPDATE "reservation" SET "refunded_at" = ${new Date(e.occurredAt)} WHERE "id" = ${e.data.reservationId}::uuid AND "refunded_at" IS NULL`;
}
