import { intEnv } from "@cinema/platform/config";
import { AppError, ErrorCode } from "@cinema/platform/errors";
import { linesBeforeTicketTypes } from "@cinema/platform/events";
import { logger } from "@cinema/platform/logger";
import { periodicJob } from "@cinema/platform/subgraph";
import { compensate, complete, fail, type ReserveDeps } from "./reserve.ts";

export interface ReconciliationReport {
  /** PENDING past the deadline that had paid and got their seats confirmed: finished as CONFIRMED. */
  completed: string[];
  /** PENDING past the deadline, compensated and marked FAILED. */
  failed: string[];
  /** FAILED earlier with a compensation that could not run then, compensated now. */
  compensated: string[];
  /** Still waiting for a subgraph that is down; tried again next run. */
  deferred: string[];
}

/** A saga older than this is dead (the sum of all call deadlines is far shorter). */
const deadlineMs = () => intEnv("RESERVE_DEADLINE_SECONDS", 60) * 1000;
const BATCH = 100;

/**
 * Repairs what a crash or an outage can leave behind, idempotently (each repair is conditional
 * and every call it makes is idempotent, so two runs at once do no harm):
 * - a PENDING booking past its deadline is finished when it had paid (payment says so: confirm
 *   seats, CONFIRMED),
 *   otherwise compensated (void payment, release seats) and marked FAILED;
 * - a FAILED booking whose compensation was deferred gets it now.
 * This also covers "payment captured without a confirmed booking" (voided) and "seats sold to a
 * booking that is not live" (released), since every payment and hold belongs to a booking row
 * written before either was made.
 */
export async function reconcile(deps: ReserveDeps): Promise<ReconciliationReport> {
  const report: ReconciliationReport = { completed: [], failed: [], compensated: [], deferred: [] };
  const stale = await deps.db.reservation.findMany({
    where: { status: "PENDING", updatedAt: { lt: new Date(Date.now() - deadlineMs()) } },
    orderBy: { createdAt: "asc" },
    take: BATCH,
  });
  for (const r of stale) {
    // The saga records no step between SCREENING_CHECKED and COMPLETED: payment says whether it paid.
    if (r.step !== "STARTED") {
      try {
        const paid = await deps.payments.outcome(r.id);
        if (paid?.status === "CAPTURED") {
          await deps.seats.confirm(r.id, r.seats.length);
          const lines = paid.lines ?? linesBeforeTicketTypes(r.seats, paid.amountCents);
          if (await complete(deps, { ...r, paymentId: paid.id, amountCents: paid.amountCents, lines: lines as unknown as typeof r.lines })) {
            report.completed.push(r.id);
            continue;
          }
        }
      } catch (err) {
        if (!(err instanceof AppError) || err.code === ErrorCode.SERVICE_UNAVAILABLE) {
          report.deferred.push(r.id); // payment or seat unreachable: neither finish nor undo yet
          continue;
        }
      }
    }
    await fail(deps, r, new AppError(ErrorCode.SERVICE_UNAVAILABLE, "The booking could not be completed in time; you were not charged. Please try again."));
    const after = await deps.db.reservation.findUnique({ where: { id: r.id } });
    (after?.step === "COMPENSATED" ? report.failed : report.deferred).push(r.id);
  }

  const unfinished = await deps.db.reservation.findMany({
    where: { status: "FAILED", step: { in: ["SCREENING_CHECKED", "SEATS_HELD", "PAID"] } },
    orderBy: { updatedAt: "asc" },
    take: BATCH,
  });
  for (const r of unfinished) {
    if (await compensate(deps, r)) {
      await deps.db.reservation.updateMany({ where: { id: r.id, step: r.step }, data: { step: "COMPENSATED" } });
      report.compensated.push(r.id);
    } else {
      report.deferred.push(r.id);
    }
  }
  const fixed = report.completed.length + report.failed.length + report.compensated.length;
  if (fixed || report.deferred.length) logger.info({ ...report }, "reconciliation run");
  return report;
}

/** Runs reconcile every RECONCILE_INTERVAL_SECONDS (one run at a time in this process). */
export const reconciliationJob = (deps: ReserveDeps) =>
  periodicJob("reconciliation", intEnv("RECONCILE_INTERVAL_SECONDS", 30), () => reconcile(deps));
