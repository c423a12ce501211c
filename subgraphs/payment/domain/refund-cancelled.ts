import { createEvent, type EventEnvelope } from "@cinema/platform/events";
import { logger } from "@cinema/platform/logger";
import { enqueueEvents, handleOnce, type RawSql } from "@cinema/platform/outbox";
import type { PaymentDb } from "../data.ts";
import type { Payment } from "../generated/prisma/client.ts";
import type { PaymentProvider } from "./provider.ts";
import { releaseVouchers } from "./vouchers/release-vouchers.ts";

/** `payment.refunded`: the whole booking's refund, or (`part`) the refund of some of its seats. */
const refundedEvent = (p: Payment, amountCents: number, part?: { seats: string[]; cancellationId: string }) =>
  createEvent("payment.refunded", p.reservationId, {
    reservationId: p.reservationId,
    customerId: p.customerId,
    paymentId: p.id,
    amountCents,
    currency: p.currency,
    ...part,
  });

/** Asks the processor for a refund unless there is nothing to give back by card (all vouchers). False when it could not now. */
async function refundByCard(provider: PaymentProvider, p: Payment, amountCents: number, idempotencyKey: string): Promise<boolean> {
  if (amountCents <= 0 || !p.providerRef) return true;
  try {
    await provider.refund(p.providerRef, amountCents, idempotencyKey);
    return true;
  } catch (err) {
    logger.warn({ paymentId: p.id, err: (err as Error).message }, "refund deferred; the sweeper retries it");
    return false;
  }
}

/**
 * A booking was cancelled: its vouchers are given back and the refund becomes owed (recorded once
 * per cancellation event, and the event is acknowledged), then is attempted at once. What is owed
 * is the booking's amount when cancelled: seats cancelled before are refunded by their own rows,
 * whichever event comes first. A processor that is down does not lose it: the refund sweeper
 * retries owed refunds until the processor confirms. A payment that was never captured is settled
 * at once with nothing to give back.
 */
export async function refundCancelled(db: PaymentDb, provider: PaymentProvider, event: EventEnvelope<"reservation.cancelled">): Promise<void> {
  const { reservationId, amountCents } = event.data;
  const payment = await db.payment.findUnique({ where: { reservationId } });
  if (!payment) throw new Error(`no payment for cancelled reservation ${reservationId}`); // retried, then dead-lettered
  await handleOnce(db, "payment.refund", event, async (tx) => {
    await releaseVouchers(tx, payment.id);
    const owed = await tx.payment.updateMany({
      where: { id: payment.id, status: "CAPTURED", refundRequestedAt: null },
      data: { refundRequestedAt: new Date(), refundCents: Math.min(amountCents, payment.amountCents) },
    });
    if (owed.count === 0 && payment.status !== "CAPTURED") {
      await enqueueEvents(tx, refundedEvent(payment, payment.status === "REFUNDED" ? (payment.refundCents ?? payment.amountCents) : 0));
    }
  });
  await settleRefund(db, provider, payment.id);
}

/**
 * Refunds one owed payment with the processor (idempotent per payment), then CAPTURED → REFUNDED
 * with `payment.refunded` in one transaction. False when the processor could not do it now.
 */
export async function settleRefund(db: PaymentDb, provider: PaymentProvider, paymentId: string): Promise<boolean> {
  const payment = await db.payment.findUnique({ where: { id: paymentId } });
  if (!payment || payment.status !== "CAPTURED" || !payment.refundRequestedAt) return true;
  const owed = payment.refundCents ?? payment.amountCents;
  if (!(await refundByCard(provider, payment, owed, `refund-${payment.id}`))) return false;
  await db.$transaction(async (tx) => {
    const { count } = await tx.payment.updateMany({ where: { id: payment.id, status: "CAPTURED" }, data: { status: "REFUNDED" } });
    if (count === 1) await enqueueEvents(tx, refundedEvent(payment, owed));
  });
  return true;
}

/**
 * Some seats of a booking were cancelled: their vouchers are given back and their card share
 * (reservation computed it from the priced lines, exact to the won) is owed, once per cancellation,
 * then refunded at once or by the sweeper. The payment stays CAPTURED for the seats kept.
 */
export async function refundSeats(db: PaymentDb, provider: PaymentProvider, event: EventEnvelope<"reservation.seats-cancelled">): Promise<void> {
  const { reservationId, cancellationId, seats, refundCents } = event.data;
  const payment = await db.payment.findUnique({ where: { reservationId } });
  if (!payment) throw new Error(`no payment for reservation ${reservationId}`); // retried, then dead-lettered
  await handleOnce(db, "payment.partial-refund", event, async (tx) => {
    await releaseVouchers(tx, payment.id, seats);
    await tx.$executeRawUnsafe(
      `INSERT INTO partial_refund (id, payment_id, seats, amount_cents) VALUES ($1::uuid, $2::uuid, $3::text[], $4) ON CONFLICT DO NOTHING`,
      cancellationId,
      payment.id,
      seats,
      refundCents,
    );
  });
  await settlePartialRefund(db, provider, cancellationId);
}

/** Refunds one owed partial refund with the processor (idempotent per cancellation); false when it could not now. */
export async function settlePartialRefund(db: PaymentDb, provider: PaymentProvider, id: string): Promise<boolean> {
  const part = await db.partialRefund.findUnique({ where: { id } });
  if (!part || part.refundedAt) return true;
  const payment = (await db.payment.findUnique({ where: { id: part.paymentId } }))!;
  if (!(await refundByCard(provider, payment, part.amountCents, `refund-${id}`))) return false;
  await db.$transaction(async (tx: RawSql) => {
    const done = await tx.$executeRawUnsafe(`UPDATE partial_refund SET refunded_at = now() WHERE id = $1::uuid AND refunded_at IS NULL`, id);
    if (done === 1) await enqueueEvents(tx, refundedEvent(payment, part.amountCents, { seats: part.seats, cancellationId: id }));
  });
  return true;
}

/** Refunds owed that the processor has not confirmed yet (oldest first): whole cancellations and cancelled seats. */
export async function owedRefunds(db: PaymentDb): Promise<{ payments: string[]; parts: string[] }> {
  const [payments, parts] = await Promise.all([
    db.payment.findMany({ where: { status: "CAPTURED", refundRequestedAt: { not: null } }, orderBy: { refundRequestedAt: "asc" }, take: 100, select: { id: true } }),
    db.partialRefund.findMany({ where: { refundedAt: null }, orderBy: { requestedAt: "asc" }, take: 100, select: { id: true } }),
  ]);
  return { payments: payments.map((p) => p.id), parts: parts.map((p) => p.id) };
}

/** The sweeper's turn: retries every owed refund; true when any went through. */
export async function retryOwedRefunds(db: PaymentDb, provider: PaymentProvider): Promise<boolean> {
  const { payments, parts } = await owedRefunds(db);
  let any = false;
  for (const id of payments) any = (await settleRefund(db, provider, id)) || any;
  for (const id of parts) any = (await settlePartialRefund(db, provider, id)) || any;
  return any;
}
