import { serviceUnavailable } from "@cinema/platform/errors";
import type { PaymentDb } from "../data.ts";
import type { Payment } from "../generated/prisma/client.ts";
import type { PaymentProvider } from "./provider.ts";
import { releaseVouchers } from "./vouchers/release-vouchers.ts";

export interface VoidInput {
  reservationId: string;
  customerId: string;
  amountCents: number;
  currency: string;
}

/**
 * Compensation for a failed reservation, idempotent. No payment yet → a VOIDED row is written
 * so a late capture is refused; in flight → marked VOIDED and the capture refunds itself;
 * captured → refunded with the processor, then VOIDED. Whatever ends unpaid gives its gift vouchers
 * back (a capture in flight redeemed them with its claim).
 */
export async function voidPayment(db: PaymentDb, provider: PaymentProvider, input: VoidInput): Promise<Payment> {
  await db.payment.createMany({
    data: [{ ...input, status: "VOIDED", provider: provider.name, failureReason: "Cancelled before the card was charged." }],
    skipDuplicates: true,
  });
  await db.payment.updateMany({ where: { reservationId: input.reservationId, status: "PENDING" }, data: { status: "VOIDED" } });
  const payment = (await db.payment.findUnique({ where: { reservationId: input.reservationId } }))!;
  if (payment.status !== "CAPTURED") {
    // Never charged: its vouchers go back. A charged one that is VOIDED is being refunded by the void
    // that claimed it, which gives them back once the refund went through (or puts it back to
    // CAPTURED, vouchers and all, if the processor failed).
    if (payment.status === "DECLINED" || (payment.status === "VOIDED" && !payment.providerRef)) await releaseVouchers(db, payment.id);
    return payment;
  }

  // Claim the refund first so two concurrent voids cannot both refund.
  const claimed = await db.payment.updateMany({ where: { id: payment.id, status: "CAPTURED" }, data: { status: "VOIDED" } });
  if (claimed.count === 1) {
    try {
      // Vouchers alone paid (no card charge): nothing to ask the processor.
      if (payment.providerRef) await provider.refund(payment.providerRef, payment.amountCents, `void-${payment.id}`);
    } catch {
      await db.payment.update({ where: { id: payment.id }, data: { status: "CAPTURED" } });
      throw serviceUnavailable("The card processor is not responding; the charge will be cancelled shortly.");
    }
    await releaseVouchers(db, payment.id);
  }
  return (await db.payment.findUnique({ where: { id: payment.id } }))!;
}
