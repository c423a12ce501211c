import { randomUUID } from "node:crypto";
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
    // The screening is checked before the booking is written (movie is only read, and the saga's
    // cache answers most), so the row is written once: already SCREENING_CHECKED, or FAILED with
    // the refusal, which a repeat of the request gets back.
    let screening: Screening;
    try {
      screening = await checkScreening(deps, input);
    } catch (err) {
      release("ignore");
      return await refuseAtStart(deps, customerId, input, asRefusal(err));
    }
    let reservation: Reservation;
    try {
      reservation = await start(deps, customerId, input, screening);
    } catch (err) {
      // A repeat waits outside the limiter, so repeats can never starve the first request of a slot.
      if (isUniqueViolation(err)) {
        release("ignore");
        return replay(deps, customerId, input);
      }
      throw isTransientDbError(err) ? serviceUnavailable(BUSY_MESSAGE) : err;
    }
    return await runSaga(deps, reservation, screening, input);
  } finally {
    // The limit follows the sagas' latency, whatever their outcome.
    release("ok");
  }
}

type Screening = NonNullable<Awaited<ReturnType<SagaPorts["catalog"]["screening"]>>>;

/**
 * Writes the booking PENDING at SCREENING_CHECKED. A plain INSERT: the row is known without reading
 * it back (Prisma's create compiles and maps the query on every booking).
 */
async function start(deps: ReserveDeps, customerId: string, input: ReserveInput, screening: Screening): Promise<Reservation> {
  const now = new Date();
  const r: Reservation = {
    id: randomUUID(),
    customerId,
    idempotencyKey: input.idempotencyKey,
    screeningId: input.screeningId,
    screeningStartsAt: new Date(screening.startsAt),
    seats: input.seats,
    amountCents: null,
    currency: screening.currency,
    lines: null,
    status: "PENDING",
    step: "SCREENING_CHECKED",
    paymentId: null,
    failureCode: null,
    failureMessage: null,
    cancelReason: null,
    refundedAt: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  await deps.db.$executeRawUnsafe(
    `INSERT INTO reservation (id, customer_id, idempotency_key, screening_id, screening_starts_at, seats, currency, status, step, version, created_at, updated_at)
     VALUES ($1::uuid, $2, $3, $4::uuid, $5::timestamptz, $6::text[], $7, 'PENDING', 'SCREENING_CHECKED', 1, $8::timestamptz, $8::timestamptz)`,
    r.id, r.customerId, r.idempotencyKey, r.screeningId, r.screeningStartsAt, r.seats, r.currency, now,
  );
  return r;
}

/** What movie says of the screening, and the rules that need nothing else: on sale, the seat limit, payment accepting. */
async function checkScreening(deps: ReserveDeps, input: ReserveInput): Promise<Screening> {
  const screening = await deps.catalog.screening(input.screeningId);
  if (!screening) throw notFound("Screening", input.screeningId);
  if (!screening.onSale) throw badInput("input.screeningId", "This screening has already started; tickets are no longer sold.");
  const limit = screening.cinema.maxSeatsPerBooking;
  if (input.seats.length > limit) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `This cinema sells at most ${limit} seats per booking.`, { field: "input.seats", maxSeatsPerBooking: limit });
  }
  // Payment is known to be failing: say so now instead of holding seats we cannot sell.
  if (!deps.payments.accepting()) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, BUSY_MESSAGE, { dependency: "payment", breaker: "open" });
  return screening;
}

/**
 * A booking refused before anything was asked of seat or payment: written FAILED with
 * `reservation.failed` in one statement (nothing to compensate). A repeat of a request already
 * recorded gets its first outcome instead.
 */
async function refuseAtStart(deps: ReserveDeps, customerId: string, input: ReserveInput, refusal: AppError): Promise<never> {
  const id = randomUUID();
  const event = failedEvent({ id, customerId, screeningId: input.screeningId, seats: input.seats }, refusal);
  let version: number | null;
  try {
    version = await updateWithEvent(
      deps.db,
      `INSERT INTO reservation (id, customer_id, idempotency_key, screening_id, seats, status, step, failure_code, failure_message)
       VALUES ($1::uuid, $2, $3, $4::uuid, $5::text[], 'FAILED', 'COMPENSATED', $6, $7) RETURNING version`,
      [id, customerId, input.idempotencyKey, input.screeningId, input.seats, refusal.code, refusal.message],
      event,
    );
  } catch (err) {
    if (isUniqueViolation(err)) return replay(deps, customerId, input) as Promise<never>;
    // A refusal that could not even be recorded is still the answer (nothing was started).
    logger.warn({ err }, "refusal not recorded");
    throw refusal;
  }
  if (version !== null) deps.relay.publishCommitted({ ...event, aggregateVersion: version });
  throw refusal;
}

/** `reservation.failed` for a booking refused with `refusal`. */
const failedEvent = (r: Pick<Reservation, "id" | "customerId" | "screeningId" | "seats">, refusal: AppError) =>
  createEvent("reservation.failed", r.id, { reservationId: r.id, customerId: r.customerId, screeningId: r.screeningId, seats: r.seats, reason: refusal.code });

/**
 * The saga from a booking written SCREENING_CHECKED: hold, pay, confirm, complete. No step between
 * is recorded (each would be a statement per booking): compensation undoes whatever may exist
 * from SCREENING_CHECKED on, and both undo calls are idempotent by reservation id (a void with no
 * payment leaves a tombstone that refuses a late capture). Only this process knows, in memory,
 * that payment was not asked yet (and skips the void); the reconciliation job asks payment
 * whether a booking paid.
 */
async function runSaga(deps: ReserveDeps, start: Reservation, screening: Screening, order: Pick<ReserveInput, "tickets" | "paymentToken" | "expectedTotalCents">): Promise<Reservation> {
  let r = start;
  // Known here, not recorded: a charge can exist only once payment has been asked.
  let paymentAsked = false;
  try {
    // Taken while this request waited for its turn: refused without asking the seat subgraph.
    const taken = knownTaken(r.screeningId, r.seats, r.id);
    if (taken) {
      r = { ...r, step: "STARTED" }; // nothing held: nothing to undo
      throw taken;
    }
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
    // Payment prices the seats (its rules, the classes the seat subgraph holds) and charges the total.
    const classOf = new Map(held.map((s) => [s.label, s.seatClass]));
    paymentAsked = true;
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
        lines: order.tickets.map((t) => ({ seat: t.seat, seatClass: classOf.get(t.seat) ?? "STANDARD", ticketType: t.ticketType, voucherCode: t.voucherCode })),
      },
    });
    r = { ...r, paymentId: payment.id, amountCents: payment.amountCents, lines: payment.lines as unknown as Reservation["lines"] };
    await deps.seats.confirm(r.id, r.seats.length);
    const confirmed = await complete(deps, r);
    if (!confirmed) throw serviceUnavailable("The booking took too long and was cancelled; you were not charged. Please try again.");
    return confirmed;
  } catch (err) {
    const refusal = asRefusal(err);
    await fail(deps, r, refusal, paymentAsked);
    throw refusal;
  }
}

/**
 * PENDING → CONFIRMED with what was paid (payment, amount, lines) and the `reservation.confirmed`
 * event, in one statement. Null when the reservation is no longer PENDING (the reconciliation job
 * gave up on it first).
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
    `UPDATE reservation SET status = 'CONFIRMED', step = 'COMPLETED', payment_id = $2::uuid, amount_cents = $3, lines = $4::jsonb,
        version = version + 1, updated_at = now()
      WHERE id = $1::uuid AND status = 'PENDING' RETURNING version`,
    [r.id, r.paymentId, r.amountCents, JSON.stringify(bookedLines(r))],
    event,
  );
  if (version === null) return null;
  rememberSold(r.screeningId, r.seats);
  forgetHeld(r.screeningId, r.seats, r.id);
  deps.relay.publishCommitted({ ...event, aggregateVersion: version });
  return { ...r, status: "CONFIRMED", step: "COMPLETED", version, updatedAt: new Date() };
}

/**
 * Undoes what the recorded step says may have happened: voids the payment (once a charge may
 * exist), then gives the seats back (once a hold may exist). True when everything needed ran;
 * false when a subgraph could not be reached, which leaves it to the reconciliation job.
 */
export async function compensate(deps: ReserveDeps, r: Reservation, paymentAsked?: boolean): Promise<boolean> {
  // SEATS_HELD and PAID are no longer written (runSaga), but older rows may carry them. From
  // SCREENING_CHECKED on, a charge may exist unless the saga itself knows payment was never asked.
  const steps: SagaStep[] = ["SCREENING_CHECKED", "SEATS_HELD", "PAID", "COMPLETED"];
  const mayHold = steps.includes(r.step);
  const mayCharge = mayHold && paymentAsked !== false;
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
export async function fail(deps: ReserveDeps, r: Reservation, refusal: AppError, paymentAsked?: boolean): Promise<void> {
  // Compensation runs to its end whether or not the caller still waits (its own deadlines only):
  // what the request started is undone now, not left to the repair job.
  const compensated = await detachedFromDeadline(() => compensate(deps, r, paymentAsked));
  forgetHeld(r.screeningId, r.seats, r.id);
  const event = failedEvent(r, refusal);
  const version = await updateWithEvent(
    deps.db,
    `UPDATE reservation SET status = 'FAILED', failure_code = $2, failure_message = $3, version = version + 1, updated_at = now()
       ${compensated ? `, step = 'COMPENSATED'` : ""}
      WHERE id = $1::uuid AND status = 'PENDING' RETURNING version`,
    [r.id, refusal.code, refusal.message],
    event,
  );
  if (version !== null) deps.relay.publishCommitted({ ...event, aggregateVersion: version });
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
