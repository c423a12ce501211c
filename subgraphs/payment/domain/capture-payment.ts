import { AppError, ErrorCode, serviceUnavailable } from "@cinema/platform/errors";
import { isUniqueViolation } from "@cinema/platform/db";
import { logger } from "@cinema/platform/logger";
import { formatMoney } from "@cinema/platform/money";
import type { PaymentDb } from "../data.ts";
import type { Payment } from "../generated/prisma/client.ts";
import { priceWithRules } from "./price-quote.ts";
import { loadPriceRules } from "./price-rules-store.ts";
import type { PricingRequest } from "./pricing.ts";
import { ProviderUnavailableError, type PaymentProvider } from "./provider.ts";

export interface CaptureInput {
  reservationId: string;
  customerId: string;
  currency: string;
  paymentToken: string;
  /** What the saga knows of the booking; payment prices it with the cinema's rules. */
  pricing: Omit<PricingRequest, "currency"> & { cinemaId: string };
  /** The total the customer saw; a different price now is refused before charging. */
  expectedTotalCents?: number | null;
}

const declined = (reason: string) => new AppError(ErrorCode.PAYMENT_DECLINED, `Payment declined: ${reason} Please use another card.`);

/** The answer a repeated capture gets: the first attempt's outcome. */
function outcome(payment: Payment, input: CaptureInput): Payment {
  // Not compared with today's price: the first outcome stands whatever the rules say now.
  if (payment.customerId !== input.customerId || payment.currency !== input.currency) {
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

const money = (cents: number, currency: string) => formatMoney(cents, currency, "en-US");

const priceChanged = (expectedTotalCents: number, totalCents: number, currency: string) =>
  new AppError(
    ErrorCode.PRICE_CHANGED,
    `The price has changed since you saw it: the total is now ${money(totalCents, currency)}, not ${money(expectedTotalCents, currency)}. You were not charged; please check the new price and book again.`,
    { expectedTotalCents, totalCents, currency },
  );

/**
 * Prices the booking with its cinema's rules and charges the total at most once. A repeat gets the
 * first outcome (amount and breakdown as first charged): its claim meets the first one's row, and a
 * price that no longer matches is checked against an existing row before it is refused. A
 * PRICE_CHANGED refusal writes nothing, so a retry with the right total can still pay. The row is
 * claimed (PENDING) before the processor is called and no transaction is open during the call; a
 * void that lands meanwhile wins, and the late charge is refunded at once.
 */
export async function capturePayment(db: PaymentDb, provider: PaymentProvider, input: CaptureInput): Promise<Payment> {
  // The rules are cached: the usual booking costs no statement before its claim.
  const [rules] = await loadPriceRules(db, [input.pricing.cinemaId]);
  const breakdown = priceWithRules({ ...input.pricing, currency: input.currency }, rules!, "args.pricing");
  if (input.expectedTotalCents != null && input.expectedTotalCents !== breakdown.totalCents) {
    // A repeat after the rules changed still gets its first outcome.
    const existing = await db.payment.findUnique({ where: { reservationId: input.reservationId } });
    if (existing) return outcome(existing, input);
    throw priceChanged(input.expectedTotalCents, breakdown.totalCents, input.currency);
  }

  let claim: Payment;
  try {
    claim = await db.payment.create({
      data: {
        reservationId: input.reservationId,
        customerId: input.customerId,
        amountCents: breakdown.totalCents,
        currency: input.currency,
        status: "PENDING",
        provider: provider.name,
        breakdown: breakdown as unknown as object,
      },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // A concurrent attempt (or a void) wrote the row first: its outcome is the answer.
    return outcome((await db.payment.findUnique({ where: { reservationId: input.reservationId } }))!, input);
  }

  let result;
  try {
    result = await provider.charge({ amountCents: claim.amountCents, currency: input.currency, token: input.paymentToken, idempotencyKey: claim.id });
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
    await provider.refund(result.reference, claim.amountCents, `void-${claim.id}`);
    await db.payment.update({ where: { id: claim.id }, data: { providerRef: result.reference } });
    logger.warn({ reservationId: input.reservationId }, "late charge refunded after void");
    throw new AppError(ErrorCode.CONFLICT, "This reservation's payment was cancelled.");
  }
  return { ...claim, status: "CAPTURED", providerRef: result.reference, updatedAt: new Date() };
}
