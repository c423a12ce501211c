import { AppError, ErrorCode, serviceUnavailable } from "@cinema/platform/errors";
import { isUniqueViolation } from "@cinema/platform/db";
import { logger } from "@cinema/platform/logger";
import type { PaymentDb } from "../data.ts";
import type { Payment } from "../generated/prisma/client.ts";
import { ProviderUnavailableError, type PaymentProvider } from "./provider.ts";

export interface CaptureInput {
  reservationId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  paymentToken: string;
}

const declined = (reason: string) => new AppError(ErrorCode.PAYMENT_DECLINED, `Payment declined: ${reason} Please use another card.`);

/** The answer a repeated capture gets: the first attempt's outcome. */
function outcome(payment: Payment, input: CaptureInput): Payment {
  if (payment.amountCents !== input.amountCents || payment.customerId !== input.customerId) {
    throw new AppError(ErrorCode.CONFLICT, "This reservation was already charged with different details.");
  }
  switch (payment.status) {
    case "CAPTURED":
      return payment;
    case "DECLINED":
      throw declined(payment.failureReason ?? "the card was declined.");
    case "PENDING":
      throw serviceUnavailable("The payment is still being processed; please try again shortly.");
    default:
      throw new AppError(ErrorCode.CONFLICT, "This reservation's payment was cancelled.");
  }
}

/**
 * Charges a reservation at most once. The row is claimed (PENDING) before the processor is
 * called and no transaction is open during the call; a void that lands meanwhile wins, and the
 * late charge is refunded at once.
 */
export async function capturePayment(db: PaymentDb, provider: PaymentProvider, input: CaptureInput): Promise<Payment> {
  let claim: Payment;
  try {
    claim = await db.payment.create({
      data: {
        reservationId: input.reservationId,
        customerId: input.customerId,
        amountCents: input.amountCents,
        currency: input.currency,
        status: "PENDING",
        provider: provider.name,
      },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return outcome((await db.payment.findUnique({ where: { reservationId: input.reservationId } }))!, input);
  }

  let result;
  try {
    result = await provider.charge({ amountCents: input.amountCents, currency: input.currency, token: input.paymentToken, idempotencyKey: claim.id });
  } catch (err) {
    if (!(err instanceof ProviderUnavailableError)) throw err;
    await db.payment.updateMany({ where: { id: claim.id, status: "PENDING" }, data: { status: "VOIDED", failureReason: err.message } });
    throw serviceUnavailable("The card processor is not responding; you were not charged. Please try again shortly.");
  }

  if (!result.ok) {
    await db.payment.updateMany({ where: { id: claim.id, status: "PENDING" }, data: { status: "DECLINED", failureReason: result.declineReason } });
    throw declined(result.declineReason);
  }
  const [captured] = await db.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE payment SET status = 'CAPTURED', provider_ref = $2, updated_at = now() WHERE id = $1::uuid AND status = 'PENDING' RETURNING id`,
    claim.id,
    result.reference,
  );
  if (!captured) {
    // Voided while the processor was charging: give the money back now.
    await provider.refund(result.reference, input.amountCents, `void-${claim.id}`);
    await db.payment.update({ where: { id: claim.id }, data: { providerRef: result.reference } });
    logger.warn({ reservationId: input.reservationId }, "late charge refunded after void");
    throw new AppError(ErrorCode.CONFLICT, "This reservation's payment was cancelled.");
  }
  return { ...claim, status: "CAPTURED", providerRef: result.reference, updatedAt: new Date() };
}
