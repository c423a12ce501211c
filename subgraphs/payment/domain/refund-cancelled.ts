import { createEvent, type EventEnvelope } from "@cinema/platform/events";
import { logger } from "@cinema/platform/logger";
import { enqueueEvents, handleOnce } from "@cinema/platform/outbox";
import type { PaymentDb } from "../data.ts";
import type { Payment } from "../generated/prisma/client.ts";
import type { PaymentProvider } from "./provider.ts";

const refundedEvent = (p: Payment, amountCents: number) =>
  createEvent("payment.refunded", p.reservationId, {
    reservationId: p.reservationId,
    customerId: p.customerId,
    paymentId: p.id,
    amountCents,
    currency: p.currency,
  });

/**
 * A booking was cancelled: the refund becomes owed (recorded once per cancellation event, and the
 * event is acknowledged), then is attempted at once. A processor that is down does not lose it:
 * the refund sweeper retries owed refunds until the processor confirms. A payment that was never
 * captured is settled at once with nothing to give back.
 */
export async function refundCancelled(db: PaymentDb, provider: PaymentProvider, event: EventEnvelope<"reservation.cancelled">): Promise<void> {
  const { reservationId } = event.data;
  const payment = await db.payment.findUnique({ where: { reservationId } });
  if (!payment) throw new Error(`no payment for cancelled reservation ${reservationId}`); // retried, then dead-lettered
  await handleOnce(db, "payment.refund", event, async (tx) => {
    const owed = await tx.payment.updateMany({
      where: { id: payment.id, status: "CAPTURED", refundRequestedAt: null },
      data: { refundRequestedAt: new Date() },
    });
    if (owed.count === 0 && payment.status !== "CAPTURED") {
      await enqueueEvents(tx, refundedEvent(payment, payment.status === "REFUNDED" ? payment.amountCents : 0));
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
  try {
    await provider.refund(payment.providerRef!, payment.amountCents, `refund-${payment.id}`);
  } catch (err) {
    logger.warn({ paymentId, err: (err as Error).message }, "refund deferred; the sweeper retries it");
    return false;
  }
  await db.$transaction(async (tx) => {
    const { count } = await tx.payment.updateMany({ where: { id: payment.id, status: "CAPTURED" }, data: { status: "REFUNDED" } });
    if (count === 1) await enqueueEvents(tx, refundedEvent(payment, payment.amountCents));
  });
  return true;
}

/** Owed refunds the processor has not confirmed yet (oldest first). */
export const owedRefunds = (db: PaymentDb) =>
  db.payment.findMany({ where: { status: "CAPTURED", refundRequestedAt: { not: null } }, orderBy: { refundRequestedAt: "asc" }, take: 100, select: { id: true } });
