import { serviceUnavailable } from "@cinema/platform/errors";
import type { PaymentDb } from "../data.ts";
import type { Payment } from "../generated/prisma/client.ts";
import type { PaymentProvider } from "./provider.ts";

export interface VoidInput {
  reservationId: string;
  customerId: string;
  amountCents: number;
  currency: string;
}

/**
 * Compensation for a failed reservation, idempotent. No payment yet → a VOIDED row is written
 * so a late capture is refused; in flight → marked VOIDED and the capture refunds itself;
 * captured → refunded with the processor, then VOIDED.
 */
export async function voidPayment(db: PaymentDb, provider: PaymentProvider, input: VoidInput): Promise<Payment> {
  await db.payment.createMany({
    data: [{ ...input, status: "VOIDED", provider: provider.name, failureReason: "Cancelled before the card was charged." }],
    skipDuplicates: true,
  });
  await db.payment.updateMany({ where: { reservationId: input.reservationId, status: "PENDING" }, data: { status: "VOIDED" } });
  const payment = (await db.payment.findUnique({ where: { reservationId: input.reservationId } }))!;
  if (payment.status !== "CAPTURED") return payment;

  // Claim the refund first so two concurrent voids cannot both refund.
  const claimed = await db.payment.updateMany({ where: { id: payment.id, status: "CAPTURED" }, data: { status: "VOIDED" } });
  if (claimed.count === 1) {
    try {
      await provider.refund(payment.providerRef!, payment.amountCents, `void-${payment.id}`);
    } catch {
      await db.payment.update({ where: { id: payment.id }, data: { status: "CAPTURED" } });
      throw serviceUnavailable("The card processor is not responding; the charge will be cancelled shortly.");
    }
  }
  return (await db.payment.findUnique({ where: { id: payment.id } }))!;
}
