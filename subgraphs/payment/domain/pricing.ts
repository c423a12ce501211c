import type { PricedSeat, PriceItem, SeatClass, TicketType } from "@cinema/platform/events";
import { localTime, minutesOf } from "./local-time.ts";
import type { PriceRules } from "./price-rules.ts";

/** What a booking's price depends on besides the rules: the screening and the seats with their ticket types. */
export interface PricingRequest {
  currency: string;
  /** The cinema's IANA zone: time rules apply to the wall clock there. */
  timeZone: string;
  startsAt: Date;
  /** The screening's price of a seat, ≥ 0. */
  basePriceCents: number;
  lines: { seat: string; seatClass: SeatClass; ticketType: TicketType }[];
}

export interface PriceBreakdown {
  currency: string;
  totalCents: number;
  lines: PricedSeat[];
}

const SEAT_CLASS_LABELS: Record<SeatClass, string> = {
  STANDARD: "Standard seat",
  PREMIUM: "Premium seat",
  COUPLE: "Couple seat",
  WHEELCHAIR: "Wheelchair space",
  COMPANION: "Companion seat",
};
const TICKET_TYPE_LABELS: Record<TicketType, string> = { ADULT: "Adult", YOUTH: "Youth", SENIOR: "Senior", DISABLED: "Disabled" };

/**
 * Prices a booking (docs/cinema-chain.md, "Prices"): per seat BASE, SEAT_CLASS, one TIME item per
 * matching rule, TICKET_TYPE, applied in that order on a running total that never goes below 0 (an
 * item shows the amount actually applied). Zero items other than BASE are left out, so the items
 * of a seat always sum to its price and the seat prices to the total.
 */
export function priceBooking(request: PricingRequest, rules: PriceRules): PriceBreakdown {
  const { weekday, minutes } = localTime(request.startsAt, request.timeZone);
  const timeRules = rules.timeRules.filter((r) => r.days.includes(weekday) && minutesOf(r.from) <= minutes && minutes < minutesOf(r.until));

  const lines = request.lines.map(({ seat, seatClass, ticketType }): PricedSeat => {
    const items: PriceItem[] = [{ kind: "BASE", label: "Base price", amountCents: request.basePriceCents }];
    let running = request.basePriceCents;
    const apply = (kind: PriceItem["kind"], label: string, amountCents: number) => {
      const next = Math.max(0, running + amountCents);
      if (next === running) return;
      items.push({ kind, label, amountCents: next - running });
      running = next;
    };
    apply("SEAT_CLASS", SEAT_CLASS_LABELS[seatClass], rules.seatClasses[seatClass]);
    for (const rule of timeRules) apply("TIME", rule.label, rule.amountCents);
    apply("TICKET_TYPE", TICKET_TYPE_LABELS[ticketType], -rules.ticketTypes[ticketType]);
    return { seat, seatClass, ticketType, priceCents: running, items };
  });
  return { currency: request.currency, totalCents: lines.reduce((sum, l) => sum + l.priceCents, 0), lines };
}
