import { setTimeout as sleep } from "node:timers/promises";
import { AppError, ErrorCode, badInput, notFound, serviceUnavailable } from "@cinema/platform/errors";
import { createEvent } from "@cinema/platform/events";
import { isUniqueViolation } from "@cinema/platform/db";
import { intEnv } from "@cinema/platform/config";
import { logger } from "@cinema/platform/logger";
import { enqueueEvents, type OutboxRelay } from "@cinema/platform/outbox";
import type { ReservationDb } from "../data.ts";
import type { Reservation, SagaStep } from "../generated/prisma/client.ts";
import type { SagaPorts } from "./ports.ts";
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
export async function reserve(deps: ReserveDeps, customerId: string, input: ReserveInput): Promise<Reservation> {
  let reservation: Reservation;
  try {
    reservation = await deps.db.reservation.create({
      data: { customerId, idempotencyKey: input.idempotencyKey, screeningId: input.screeningId, seats: input.seats },
    });
  } catch (err) {
    if (isUniqueViolation(err)) return replay(deps, customerId, input);
    throw err;
  }
  return runSaga(deps, reservation, input.paymentToken);
}

async function runSaga(deps: ReserveDeps, start: Reservation, paymentToken: string): Promise<Reservation> {
  const { db } = deps;
  let r = start;
  const attempted = { hold: false, payment: false };
  const record = async (step: SagaStep, data: Partial<Reservation> = {}) => {
    r = await db.reservation.update({ where: { id: r.id }, data: { ...data, step } });
  };
  try {
    const screening = await deps.catalog.screening(r.screeningId);
    if (!screening) throw notFound("Screening", r.screeningId);
    if (!screening.onSale) throw badInput("input.screeningId", "This screening has already started; tickets are no longer sold.");
    await record("SCREENING_CHECKED", {
      amountCents: screening.priceCents * r.seats.length,
      currency: screening.currency,
      screeningStartsAt: new Date(screening.startsAt),
    });

    attempted.hold = true;
    await deps.seats.hold(r.id, r.screeningId, r.seats);
    await record("SEATS_HELD");

    attempted.payment = true;
    const payment = await deps.payments.capture({
      reservationId: r.id,
      customerId: r.customerId,
      amountCents: r.amountCents!,
      currency: r.currency!,
      paymentToken,
    });
    await record("PAID", { paymentId: payment.id });

    await deps.seats.confirm(r.id, r.seats.length);
    return await complete(deps, r);
  } catch (err) {
    const refusal = asRefusal(err);
    await fail(deps, r, refusal, attempted);
    throw refusal;
  }
}

async function complete(deps: ReserveDeps, r: Reservation): Promise<Reservation> {
  const confirmed = await deps.db.$transaction(async (tx) => {
    const updated = await tx.reservation.update({
      where: { id: r.id },
      data: { status: "CONFIRMED", step: "COMPLETED", version: { increment: 1 } },
    });
    await enqueueEvents(
      tx,
      createEvent(
        "reservation.confirmed",
        r.id,
        {
          reservationId: r.id,
          customerId: r.customerId,
          screeningId: r.screeningId,
          seats: r.seats,
          amountCents: r.amountCents!,
          currency: r.currency!,
          paymentId: r.paymentId!,
        },
        updated.version,
      ),
    );
    return updated;
  });
  void deps.relay.kick();
  return confirmed;
}

/**
 * Undoes what was attempted (void the payment, then release the hold) and records the refusal.
 * A compensation that cannot run now (its subgraph is down) leaves the saga step as it was, for
 * the reconciliation job; an unreleased hold also runs out on its own.
 */
async function fail(deps: ReserveDeps, r: Reservation, refusal: AppError, attempted: { hold: boolean; payment: boolean }) {
  let compensated = true;
  const compensate = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      compensated = false;
      logger.warn({ reservationId: r.id, what, err: (err as Error).message }, "compensation deferred");
    }
  };
  if (attempted.payment) {
    await compensate("void payment", () =>
      deps.payments.void({ reservationId: r.id, customerId: r.customerId, amountCents: r.amountCents ?? 0, currency: r.currency ?? "KRW" }),
    );
  }
  if (attempted.hold) await compensate("release seats", () => deps.seats.release(r.id));
  await deps.db.$transaction(async (tx) => {
    const updated = await tx.reservation.update({
      where: { id: r.id },
      data: {
        status: "FAILED",
        failureCode: refusal.code,
        failureMessage: refusal.message,
        version: { increment: 1 },
        ...(compensated ? { step: "COMPENSATED" } : {}),
      },
    });
    await enqueueEvents(
      tx,
      createEvent(
        "reservation.failed",
        r.id,
        { reservationId: r.id, customerId: r.customerId, screeningId: r.screeningId, seats: r.seats, reason: refusal.code },
        updated.version,
      ),
    );
  });
  void deps.relay.kick();
}

function asRefusal(err: unknown): AppError {
  if (err instanceof AppError) return err;
  logger.error({ err }, "reserve failed unexpectedly");
  return new AppError(ErrorCode.INTERNAL_SERVER_ERROR, "Something went wrong on our side; you were not charged. Please try again.");
}

/**
 * A second request with the same idempotency key: it must describe the same booking, and gets the
 * first request's outcome, waiting for it while it is still running.
 */
async function replay(deps: ReserveDeps, customerId: string, input: ReserveInput): Promise<Reservation> {
  const deadline = Date.now() + intEnv("RESERVE_REPLAY_WAIT_MS", 15_000);
  for (;;) {
    const r = await deps.db.reservation.findUnique({ where: { customerId_idempotencyKey: { customerId, idempotencyKey: input.idempotencyKey } } });
    if (!r) throw new Error("reservation vanished during replay");
    if (r.screeningId !== input.screeningId || r.seats.join() !== input.seats.join()) {
      throw badInput("input.idempotencyKey", "This idempotencyKey was already used for a different booking; use a new one.");
    }
    if (r.status === "FAILED") throw new AppError((r.failureCode ?? ErrorCode.SERVICE_UNAVAILABLE) as ErrorCode, r.failureMessage ?? "The booking failed.");
    if (r.status !== "PENDING") return r;
    if (Date.now() > deadline) throw serviceUnavailable("Your booking is still being processed; check again in a moment.");
    await sleep(50);
  }
}
