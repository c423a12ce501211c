import { z } from "zod";
import { AppError, ErrorCode, badInput } from "@cinema/platform/errors";
import { seatLabelSchema } from "@cinema/platform/validation";
import { isTimeZone } from "@cinema/platform/time-zone";
import { SEAT_CLASSES, TICKET_TYPES, type PriceRules } from "./price-rules.ts";
import { priceBooking, type PriceBreakdown, type PricingRequest } from "./pricing.ts";

/** The absolute cap of seats in one booking (a cinema's own limit is at most this). */
export const MAX_SEATS = 20;

const pricingLine = z.object({ seat: seatLabelSchema, seatClass: z.enum(SEAT_CLASSES), ticketType: z.enum(TICKET_TYPES) });

/** Each seat once, at most MAX_SEATS; each voucher (when lines carry one) for one seat only. */
const linesOf = <L extends z.ZodType<{ seat: string; voucherCode?: string | null }>>(line: L) =>
  z
    .array(line)
    .max(MAX_SEATS, `at most ${MAX_SEATS} seats`)
    .superRefine((lines, ctx) => {
      const seats = new Set<string>();
      const vouchers = new Set<string>();
      lines.forEach((l, i) => {
        if (seats.has(l.seat)) ctx.addIssue({ code: "custom", path: [i, "seat"], message: `seat ${l.seat} is given more than once` });
        seats.add(l.seat);
        if (!l.voucherCode) return;
        if (vouchers.has(l.voucherCode)) ctx.addIssue({ code: "custom", path: [i, "voucherCode"], message: `voucher ${l.voucherCode} can pay one seat only` });
        vouchers.add(l.voucherCode);
      });
    });

/** Seats with their class and ticket type (a quote). */
export const pricingLines = linesOf(pricingLine);
/** The same, each seat possibly paid by a gift voucher (capturePayment). */
export const captureLines = linesOf(pricingLine.extend({ voucherCode: z.string().min(1).max(40).nullish() }));

/**
 * Prices with a cinema's rules, refusing what cannot be priced honestly: rules in another currency
 * than the screening's, or a time zone this runtime does not know.
 */
export function priceWithRules(request: PricingRequest, rules: PriceRules, field: string): PriceBreakdown {
  if (!isTimeZone(request.timeZone)) throw badInput(`${field}.timeZone`, `${request.timeZone} is not a known time zone.`);
  if (rules.currency !== request.currency) {
    throw new AppError(ErrorCode.CONFLICT, `This cinema's prices are set in ${rules.currency}, but the screening is sold in ${request.currency}; staff must update the price rules.`, {
      rulesCurrency: rules.currency,
      currency: request.currency,
    });
  }
  return priceBooking(request, rules);
}

/** A screening as the gateway hands it over (@requires from the movie subgraph). */
export interface QuotedScreening {
  id: string;
  priceCents: number;
  currency: string;
  startsAt: string;
  cinema: { id: string; timeZone: string };
}

/** The price `reserve` would charge now for these seats of the screening. */
export function quoteScreening(screening: QuotedScreening, rules: PriceRules, lines: z.infer<typeof pricingLines>): PriceBreakdown {
  const request = { currency: screening.currency, timeZone: screening.cinema.timeZone, startsAt: new Date(screening.startsAt), basePriceCents: screening.priceCents, lines };
  return priceWithRules(request, rules, "screening.cinema");
}
