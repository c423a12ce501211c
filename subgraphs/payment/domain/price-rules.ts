import type { SeatClass, TicketType } from "@cinema/platform/events";

export const SEAT_CLASSES = ["STANDARD", "PREMIUM", "COUPLE", "WHEELCHAIR", "COMPANION"] as const satisfies readonly SeatClass[];
export const TICKET_TYPES = ["ADULT", "YOUTH", "SENIOR", "DISABLED"] as const satisfies readonly TicketType[];
export const WEEKDAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Applies on the screening's local start: `days` and from ≤ HH:MM < until (until may be 24:00). */
export interface TimeRule {
  label: string;
  days: Weekday[];
  from: string;
  until: string;
  /** Added to the seat's price (negative: a reduction). */
  amountCents: number;
}

/** One cinema's price rules, every class and type present (missing ones were saved as 0). */
export interface PriceRules {
  currency: string;
  /** Added per seat of the class (may be negative). */
  seatClasses: Record<SeatClass, number>;
  /** Taken off per ticket of the type (never negative). */
  ticketTypes: Record<TicketType, number>;
  timeRules: TimeRule[];
}

/** The platform's currency (the movie subgraph prices screenings in the same CINEMA_CURRENCY). */
export const DEFAULT_CURRENCY = process.env.CINEMA_CURRENCY ?? "KRW";

/**
 * The time rules a Korean chain usually runs (조조 morning showings cheaper, weekends dearer). A
 * cinema has them once staff save them (the demo data does): time rules are each cinema's own
 * choice, and a price must not change with the hour of a showing unless staff said so.
 */
export const USUAL_TIME_RULES: TimeRule[] = [
  { label: "Morning (before 10:00)", days: [...WEEKDAYS], from: "00:00", until: "10:00", amountCents: -3000 },
  { label: "Weekend", days: ["SAT", "SUN"], from: "00:00", until: "24:00", amountCents: 1000 },
];

/** The rules of a cinema that never saved its own (docs/cinema-chain.md; amounts in won): no time rules. */
export const DEFAULT_RULES: PriceRules = {
  currency: DEFAULT_CURRENCY,
  seatClasses: { STANDARD: 0, PREMIUM: 3000, COUPLE: 4000, WHEELCHAIR: 0, COMPANION: 0 },
  ticketTypes: { ADULT: 0, YOUTH: 3000, SENIOR: 5000, DISABLED: 6000 },
  timeRules: [],
};
