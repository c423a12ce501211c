import { randomUUID } from "node:crypto";
import { AppError, ErrorCode, badInput, serviceUnavailable } from "@cinema/platform/errors";
import { isUniqueViolation } from "@cinema/platform/db";
import { logger } from "@cinema/platform/logger";
import { formatMoney } from "@cinema/platform/money";
import { cardCents } from "@cinema/platform/events";
import type { PaymentDb } from "../data.ts";
import type { Payment } from "../generated/prisma/client.ts";
import { priceWithRules } from "./price-quote.ts";
import { loadPriceRules } from "./price-rules-store.ts";
import type { PriceBreakdown, PricingRequest } from "./pricing.ts";
import type { RawSql } from "@cinema/platform/outbox";
import { ProviderUnavailableError, type PaymentProvider } from "./provider.ts";
import { releaseVouchers } from "./vouchers/release-vouchers.ts";
import { redeemRefusal, redeemVouchers, VoucherNotRedeemed, type VoucherSeat } from "./vouchers/redeem-vouchers.ts";

export interface CaptureInput {
  reservationId: string;
  customerId: string;
  currency: string;
  /** The card; null only when vouchers pay every seat (the card is then not charged at all). */
  paymentToken: string | null;
  /** What the saga knows of the booking; payment prices it with the cinema's rules. A line's voucher (normalised code) pays that seat. */
  pricing: Omit<PricingRequest, "currency" | "lines"> & { cinemaId: string; lines: (PricingRequest["lines"][number] & { voucherCode?: string | null })[] };
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
 * The breakdown as charged: each voucher's seat keeps its price and names the voucher; the card
 * pays the rest.
 */
function withVouchers(breakdown: PriceBreakdown, input: CaptureInput): { breakdown: PriceBreakdown; vouchers: VoucherSeat[]; cardCents: number } {
  const vouchers: VoucherSeat[] = [];
  const lines = breakdown.lines.map((line, i) => {
    const code = input.pricing.lines[i]?.voucherCode;
    if (!code) return line;
    vouchers.push({ code, seat: line.seat, seatClass: line.seatClass });
    return { ...line, voucherCode: code };
  });
  return { breakdown: { ...breakdown, lines }, vouchers, cardCents: cardCents(lines) };
}

/**
 * Prices the booking with its cinema's rules and charges the total at most once. A repeat gets the
 * first outcome (amount and breakdown as first charged): its claim meets the first one's row, and a
 * price that no longer matches is checked against an existing row before it is refused. A
 * PRICE_CHANGED refusal writes nothing, so a retry with the right total can still pay. The row is
 * claimed (PENDING) before the processor is called and no transaction is open during the call; a
 * void that lands meanwhile wins, and the late charge is refunded at once.
 *
 * Gift vouchers pay their seats whole: they are redeemed in the claim's transaction (all or none;
 * VOUCHER_INVALID naming the code and why, with nothing written), the card is charged the rest
 * (payment.amountCents), and not at all when that is 0. Every path that ends unpaid gives them back.
 */
export async function capturePayment(db: PaymentDb, provider: PaymentProvider, input: CaptureInput): Promise<Payment> {
  // The rules are cached: the usual booking costs no statement before its claim.
  const [rules] = await loadPriceRules(db, [input.pricing.cinemaId]);
  const priced = priceWithRules({ ...input.pricing, currency: input.currency }, rules!, "args.pricing");
  // The customer saw the price before vouchers (Screening.priceQuote): that is what is compared.
  if (input.expectedTotalCents != null && input.expectedTotalCents !== priced.totalCents) {
    // A repeat after the rules changed still gets its first outcome.
    const existing = await db.payment.findUnique({ where: { reservationId: input.reservationId } });
    if (existing) return outcome(existing, input);
    throw priceChanged(input.expectedTotalCents, priced.totalCents, input.currency);
  }
  const { breakdown, vouchers, cardCents } = withVouchers(priced, input);
  if (cardCents > 0 && !input.paymentToken) throw badInput("args.paymentToken", "A card must pay for the seats no voucher pays for.");

  const now = new Date();
  const claim: Payment = {
    id: randomUUID(),
    reservationId: input.reservationId,
    customerId: input.customerId,
    amountCents: cardCents,
    currency: input.currency,
    // Vouchers alone: nothing to ask the card processor, paid as soon as they are redeemed.
    status: cardCents === 0 ? "CAPTURED" : "PENDING",
    provider: provider.name,
    providerRef: null,
    failureReason: null,
    refundRequestedAt: null,
    refundCents: null,
    breakdown: breakdown as unknown as Payment["breakdown"],
    createdAt: now,
    updatedAt: now,
  };
  // A plain INSERT (the row is known without reading it back): it runs for every booking.
  const insertClaim = (sql: RawSql) =>
    sql.$executeRawUnsafe(
      `INSERT INTO payment (id, reservation_id, customer_id, amount_cents, currency, status, provider, breakdown, created_at, updated_at)
       VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::"PaymentStatus", $7, $8::jsonb, $9::timestamptz, $9::timestamptz)`,
      claim.id, claim.reservationId, claim.customerId, claim.amountCents, claim.currency, claim.status, claim.provider, JSON.stringify(breakdown), now,
    );
  try {
    if (!vouchers.length) await insertClaim(db);
    else {
      // The claim and its vouchers commit together or not at all: a voucher is never left redeemed
      // by a payment that does not exist, nor a payment counting on a voucher it did not get.
      await db.$transaction(async (tx) => {
        await insertClaim(tx);
        const refused = await redeemVouchers(tx, claim.id, input.pricing.cinemaId, vouchers);
        if (refused) throw new VoucherNotRedeemed(refused);
      });
    }
  } catch (err) {
    if (err instanceof VoucherNotRedeemed) throw await redeemRefusal(db, err.use, input.pricing.cinemaId);
    if (!isUniqueViolation(err)) throw err;
    // A concurrent attempt (or a void) wrote the row first: its outcome is the answer.
    return outcome((await db.payment.findUnique({ where: { reservationId: input.reservationId } }))!, input);
  }
  if (claim.status === "CAPTURED") return claim;

  /** The charge did not happen: the claim ends `status` (unless a void ended it first) and its vouchers are free again. */
  const unpaid = (status: "VOIDED" | "DECLINED", failureReason: string) =>
    vouchers.length
      ? db.$transaction(async (tx) => {
          await tx.payment.updateMany({ where: { id: claim.id, status: "PENDING" }, data: { status, failureReason } });
          await releaseVouchers(tx, claim.id);
        })
      : db.payment.updateMany({ where: { id: claim.id, status: "PENDING" }, data: { status, failureReason } });

  let result;
  try {
    result = await provider.charge({ amountCents: claim.amountCents, currency: input.currency, token: input.paymentToken!, idempotencyKey: claim.id });
  } catch (err) {
    if (!(err instanceof ProviderUnavailableError)) throw err;
    await unpaid("VOIDED", err.message);
    throw serviceUnavailable("The card processor is not responding; you were not charged. Please try again shortly.");
  }

  if (!result.ok) {
    await unpaid("DECLINED", result.declineReason);
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
    // The payment ends unpaid: its vouchers are free again (the void frees them too; this is idempotent).
    if (vouchers.length) await releaseVouchers(db, claim.id);
    logger.warn({ reservationId: input.reservationId }, "late charge refunded after void");
    throw new AppError(ErrorCode.CONFLICT, "This reservation's payment was cancelled.");
  }
  return { ...claim, status: "CAPTURED", providerRef: result.reference, updatedAt: new Date() };
}
