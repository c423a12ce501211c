import { setTimeout as sleep } from "node:timers/promises";
import { AdaptiveLimiter, limiterSettings, type Release } from "@cinema/platform/admission";
import { detachedFromDeadline, remainingBudget } from "@cinema/platform/deadline";
import { AppError, BUSY_MESSAGE, ErrorCode, badInput, busy, notFound, serviceUnavailable } from "@cinema/platform/errors";
import { createEvent, linesBeforeTicketTypes, type PricedSeat } from "@cinema/platform/events";
import { isTransientDbError, isUniqueViolation, updateWithEvent } from "@cinema/platform/db";
import { intEnv } from "@cinema/platform/config";
import { logger } from "@cinema/platform/logger";
import type { OutboxRelay } from "@cinema/platform/outbox";
import type { ReservationDb } from "../data.ts";
import type { Reservation, SagaStep } from "../generated/prisma/client.ts";
import type { SagaPorts } from "./ports.ts";
import { forgetHeld, knownTaken, rememberHeld, rememberSold } from "./taken-seats.ts";
import { sagaSteps } from "../saga-metrics.ts";
import type { ReserveInput } from "./validation.ts";

export interface ReserveDeps extends SagaPorts {
  db: ReservationDb;
  relay: OutboxRelay;
}

/**
 * The reserve saga (ARCHITECTURE.md, "Synchronous path"). The reservation is persisted PENDING
 * before anyone is called and each step's outcome is recorded, so a crash leaves a row that says
 * how far it got. Any failure compensates what was done and records the refusal, which a retry
 * with the same idempotency key gets back.
 */
/**
 * Admission of sagas in this process (they share a small database pool and the other subgraphs'
 * bulkheads): at most RESERVE_CONCURRENCY_MAX (32) at once, fewer while sagas answer slower than
 * RESERVE_LATENCY_TARGET_MS (adaptive, platform admission.ts); a request waits at most
 * RESERVE_QUEUE_TIMEOUT_MS (RESERVE_BURST_TIMEOUT_MS in a burst after quiet) for a slot and is
 * then refused at once as busy, before anything is written, rather than queueing for seconds.
 */
const sagas = new AdaptiveLimiter("reserve", limiterSettings("reserve", { max: 32, latencyTargetMs: 1_000, queueTimeoutMs: 100, burstTimeoutMs: 1_000 }));

export async function reserve(deps: ReserveDeps, customerId: string, input: ReserveInput): Promise<Reservation> {
  // Seats known to be someone else's are refused before anything is written (taken-seats.ts),
  // unless this repeats a request already recorded: that one gets its first outcome.
  const taken = knownTaken(input.screeningId, input.seats);
  if (taken) {
    const first = await deps.db.reservation.findUnique({ where: { customerId_idempotencyKey: { customerId, idempotencyKey: input.idempotencyKey } }, select: { id: true } });
    if (first) return replay(deps, customerId, input);
    sagaSteps.inc({ step: "known_taken", outcome: "seat_unavailable" });
    throw taken;
  }
  let release: Release;
  try {
    release = await sagas.acquire();
  } catch (refusal) {
    // Refused for want of a slot: if the seats went to someone else meanwhile, that is the answer.
    throw knownTaken(input.screeningId, input.seats) ?? refusal;
  }
  try {
    // The caller gave up while this waited for a slot: nothing is started (or written) for nobody.
    if ((remainingBudget() ?? 1) <= 0) throw busy({ reason: "deadline" });
    let reservation: Reservation;
    try {
      reservation = await deps.db.reservation.create({
        data: { customerId, idempotencyKey: input.idempotencyKey, screeningId: input.screeningId, seats: input.seats },
      });
    } catch (err) {
      // A repeat waits outside the limiter, so repeats can never starve the first request of a slot.
      if (isUniqueViolation(err)) {
        release("ignore");
        return replay(deps, customerId, input);
      }
      throw isTransientDbError(err) ? serviceUnavailable(BUSY_MESSAGE) : err;
    }
    return await runSaga(deps, reservation, input);
  } finally {
    // The limit follows the sagas' latency, whatever their outcome.
    release("ok");
  }
}

async function runSaga(deps: ReserveDeps, start: Reservation, order: Pick<ReserveInput, "tickets" | "paymentToken" | "expectedTotalCents">): Promise<Reservation> {
  const { db } = deps;
  let r = start;
  // Each step's outcome in one plain statement (these run for every booking).
  const record = async (step: SagaStep, data: Pick<Partial<Reservation>, "amountCents" | "currency" | "screeningStartsAt" | "paymentId"> & { lines?: PricedSeat[] } = {}) => {
    await db.$executeRaw`
      UPDATE "reservation" SET "step" = ${step}::"SagaStep", "updated_at" = now(),
        "amount_cents" = COALESCE(${data.amountCents ?? null}::int, "amount_cents"),
        "currency" = COALESCE(${data.currency ?? null}::text, "currency"),
        "screening_starts_at" = COALESCE(${data.screeningStartsAt ?? null}::timestamptz, "screening_starts_at"),
        "payment_id" = COALESCE(${data.paymentId ?? null}::uuid, "payment_id"),
        "lines" = COALESCE(${data.lines ? JSON.stringify(data.lines) : null}::jsonb, "lines")
      WHERE "id" = ${r.id}::uuid`;
    r = { ...r, ...data, step } as Reservation;
  };
  try {
    // Taken while this request waited for its turn: refused without asking the seat subgraph.
    const taken = knownTaken(r.screeningId, r.seats, r.id);
    if (taken) throw taken;
    const screening = await deps.catalog.screening(r.screeningId);
    if (!screening) throw notFound("Screening", r.screeningId);
    if (!screening.onSale) throw badInput("input.screeningId", "This screening has already started; tickets are no longer sold.");
    const limit = screening.cinema.maxSeatsPerBooking;
    if (r.seats.length > limit) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `This cinema sells at most ${limit} seats per booking.`, { field: "input.seats", maxSeatsPerBooking: limit });
    }
    // Payment is known to be failing: say so now instead of holding seats we cannot sell.
    if (!deps.payments.accepting()) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, BUSY_MESSAGE, { dependency: "payment", breaker: "open" });
    // From here on a hold may exist (even if the call below times out): compensation releases it.
    await record("SCREENING_CHECKED", { currency: screening.currency, screeningStartsAt: new Date(screening.startsAt) });
    let held: Awaited<ReturnType<ReserveDeps["seats"]["hold"]>>;
    try {
      held = await deps.seats.hold(r.id, r.screeningId, r.seats);
    } catch (err) {
      // A refusal (seat taken, no such seat) is all-or-nothing: nothing is held, nothing to release.
      if (err instanceof AppError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) r = { ...r, step: "STARTED" };
      const soldSeats = err instanceof AppError ? err.extensions.soldSeats : undefined;
      if (Array.isArray(soldSeats)) rememberSold(r.screeningId, soldSeats as string[]);
      throw err;
    }
    rememberHeld(r.screeningId, r.seats, r.id);
    // From here on a charge may exist: compensation voids it.
    await record("SEATS_HELD");
    // Payment prices the seats (its rules, the classes the seat subgraph holds) and charges the total.
    const classOf = new Map(held.map((s) => [s.label, s.seatClass]));
    const payment = await deps.payments.capture({
      reservationId: r.id,
      customerId: r.customerId,
      currency: r.currency!,
      paymentToken: order.paymentToken,
      expectedTotalCents: order.expectedTotalCents,
      pricing: {
        cinemaId: screening.cinema.id,
        timeZone: screening.cinema.timeZone,
        startsAt: screening.startsAt,
        basePriceCents: screening.priceCents,
        lines: order.tickets.map((t) => ({ seat: t.seat, seatClass: classOf.get(t.seat) ?? "STANDARD", ticketType: t.ticketType })),
      },
    });
    await record("PAID", { paymentId: payment.id, amountCents: payment.amountCents, lines: payment.lines });
    await deps.seats.confirm(r.id, r.seats.length);
    const confirmed = await complete(deps, r);
    if (!confirmed) throw serviceUnavailable("The booking took too long and was cancelled; you were not charged. Please try again.");
    return confirmed;
  } catch (err) {
    const refusal = asRefusal(err);
    await fail(deps, r, refusal);
    throw refusal;
  }
}

/**
 * PENDING → CONFIRMED with the `reservation.confirmed` event, in one transaction. Null when the
 * reservation is no longer PENDING (the reconciliation job gave up on it first).
 */
export async function complete(deps: ReserveDeps, r: Reservation): Promise<Reservation | null> {
  const event = createEvent("reservation.confirmed", r.id, {
    reservationId: r.id,
    customerId: r.customerId,
    screeningId: r.screeningId,
    seats: r.seats,
    amountCents: r.amountCents!,
    currency: r.currency!,
    paymentId: r.paymentId!,
    lines: bookedLines(r),
  });
  const version = await updateWithEvent(
    deps.db,
    `UPDATE reservation SET status = 'CONFIRMED', step = 'COMPLETED', version = version + 1, updated_at = now()
      WHERE id = $1::uuid AND status = 'PENDING' RETURNING version`,
    [r.id],
    event,
  );
  if (version === null) return null;
  rememberSold(r.screeningId, r.seats);
  forgetHeld(r.screeningId, r.seats, r.id);
  void deps.relay.kick();
  return { ...r, status: "CONFIRMED", step: "COMPLETED", version, updatedAt: new Date() };
}

/**
 * Undoes what the recorded step says may have happened: voids the payment (once a charge may
 * exist), then gives the seats back (once a hold may exist). True when everything needed ran;
 * false when a subgraph could not be reached, which leaves it to the reconciliation job.
 */
export async function compensate(deps: ReserveDeps, r: Reservation): Promise<boolean> {
  const steps: SagaStep[] = ["SCREENING_CHECKED", "SEATS_HELD", "PAID", "COMPLETED"];
  const mayHold = steps.includes(r.step);
  const mayCharge = steps.slice(1).includes(r.step);
  let done = true;
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      done = false;
      logger.warn({ reservationId: r.id, what, err: (err as Error).message }, "compensation deferred");
    }
  };
  if (mayCharge) {
    await attempt("void payment", () =>
      deps.payments.void({ reservationId: r.id, customerId: r.customerId, amountCents: r.amountCents ?? 0, currency: r.currency ?? "KRW" }),
    );
  }
  if (mayHold) await attempt("release seats", () => deps.seats.release(r.id));
  return done;
}

/**
 * Compensates and records the refusal: PENDING → FAILED with `reservation.failed`. The step
 * becomes COMPENSATED only when compensation completed; otherwise it stays, for the job.
 */
export async function fail(deps: ReserveDeps, r: Reservation, refusal: AppError): Promise<void> {
  // Compensation runs to its end whether or not the caller still waits (its own deadlines only):
  // what the request started is undone now, not left to the repair job.
  const compensated = await detachedFromDeadline(() => compensate(deps, r));
  forgetHeld(r.screeningId, r.seats, r.id);
  const event = createEvent("reservation.failed", r.id, {
    reservationId: r.id,
    customerId: r.customerId,
    screeningId: r.screeningId,
    seats: r.seats,
    reason: refusal.code,
  });
  await updateWithEvent(
    deps.db,
    `UPDATE reservation SET status = 'FAILED', failure_code = $2, failure_message = $3, version = version + 1, updated_at = now()
       ${compensated ? `, step = 'COMPENSATED'` : ""}
      WHERE id = $1::uuid AND status = 'PENDING' RETURNING version`,
    [r.id, refusal.code, refusal.message],
    event,
  );
  void deps.relay.kick();
}

/** The booking's seats as priced (older bookings: see linesBeforeTicketTypes). */
export const bookedLines = (r: Pick<Reservation, "seats" | "amountCents" | "lines">): PricedSeat[] =>
  Array.isArray(r.lines) ? (r.lines as unknown as PricedSeat[]) : linesBeforeTicketTypes(r.seats, r.amountCents ?? 0);

function asRefusal(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isTransientDbError(err)) return serviceUnavailable(BUSY_MESSAGE);
  logger.error({ err }, "reserve failed unexpectedly");
  return new AppError(ErrorCode.INTERNAL_SERVER_ERROR, "Something went wrong on our side; you were not charged. Please try again.");
}

/**
 * A second request with the same idempotency key: it must describe the same booking, and gets the
 * first request's outcome, waiting for it while it is still running.
 */
async function replay(deps: ReserveDeps, customerId: string, input: ReserveInput): Promise<Reservation> {
  // Within the caller's deadline (with a moment to answer in), so it hears "still being processed".
  const deadline = Date.now() + Math.min(intEnv("RESERVE_REPLAY_WAIT_MS", 15_000), (remainingBudget() ?? Infinity) - 200);
  for (;;) {
    const r = await deps.db.reservation.findUnique({ where: { customerId_idempotencyKey: { customerId, idempotencyKey: input.idempotencyKey } } });
    if (!r) throw new Error("reservation vanished during replay");
    const sameTickets = !Array.isArray(r.lines) || bookedLines(r).map((l) => l.ticketType).join() === input.tickets.map((t) => t.ticketType).join();
    if (r.screeningId !== input.screeningId || r.seats.join() !== input.seats.join() || !sameTickets) {
      throw badInput("input.idempotencyKey", "This idempotencyKey was already used for a different booking; use a new one.");
    }
    if (r.status === "FAILED") throw new AppError((r.failureCode ?? ErrorCode.SERVICE_UNAVAILABLE) as ErrorCode, r.failureMessage ?? "The booking failed.");
    if (r.status !== "PENDING") return r;
    if (Date.now() > deadline) throw serviceUnavailable("Your booking is still being processed; check again in a moment.");
    await sleep(50);
  }
}
