import { createEvent, type EventEnvelope } from "@cinema/platform/events";
import { enqueueEvents, handleOnce } from "@cinema/platform/outbox";
import type { PaymentDb } from "../data.ts";
import type { PaymentProvider } from "./provider.ts";

const CONSUMER = "payment.refund";

/**
 * Refunds a cancelled booking and announces `payment.refunded` (the seat subgraph releases the
 * seats on it). The processor call happens outside any transaction with a stable idempotency
 * key, so a redelivery after a crash refunds nothing twice; the status change and the event are
 * recorded once per cancellation event.
 */
export async function refundCancelled(db: PaymentDb, provider: PaymentProvider, event: EventEnvelope<"reservation.cancelled">): Promise<void> {
  const { reservationId } = event.data;
  const seen = await db.processedEvent.findUnique({ where: { consumer_eventId: { consumer: CONSUMER, eventId: event.id } } });
  if (seen) return;
  const payment = await db.payment.findUnique({ where: { reservationId } });
  if (!payment) throw new Error(`no payment for cancelled reservation ${reservationId}`); // retried, then dead-lettered
  if (payment.status === "CAPTURED") await provider.refund(payment.providerRef!, payment.amountCents, `refund-${payment.id}`);
  await handleOnce(db, CONSUMER, event, async (tx) => {
    await tx.payment.updateMany({ where: { id: payment.id, status: "CAPTURED" }, data: { status: "REFUNDED" } });
    const settled = payment.status === "CAPTURED" || payment.status === "REFUNDED";
    await enqueueEvents(
      tx,
      createEvent("payment.refunded", reservationId, {
        reservationId,
        customerId: payment.customerId,
        paymentId: payment.id,
        amountCents: settled ? payment.amountCents : 0,
        currency: payment.currency,
      }),
    );
  });
}
