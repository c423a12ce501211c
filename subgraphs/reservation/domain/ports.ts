import type { PricedSeat, SeatClass } from "@cinema/platform/events";
import type { TicketType } from "./validation.ts";

/** What the reserve saga needs from the other subgraphs; clients.ts implements these over GraphQL. */
export interface ScreeningCatalog {
  screening(id: string): Promise<{
    id: string;
    startsAt: string;
    priceCents: number;
    currency: string;
    onSale: boolean;
    /** The cinema's own rules: its time zone prices time rules, its limit caps a booking. */
    cinema: { id: string; timeZone: string; maxSeatsPerBooking: number };
  } | null>;
}

export interface SeatInventory {
  /** All or none; answers each held seat's class (for its price). */
  hold(reservationId: string, screeningId: string, labels: string[]): Promise<{ label: string; seatClass: SeatClass }[]>;
  confirm(reservationId: string, count: number): Promise<void>;
  release(reservationId: string): Promise<void>;
}

/** What payment prices a booking from (its rules for the cinema do the rest). */
export interface PricingRequest {
  cinemaId: string;
  timeZone: string;
  startsAt: string;
  basePriceCents: number;
  lines: { seat: string; seatClass: SeatClass; ticketType: TicketType }[];
}

export interface Payments {
  /** False while payment's circuit breaker is open: the saga then refuses before holding seats. */
  accepting(): boolean;
  /** Prices the seats with the cinema's rules and charges the total (PRICE_CHANGED if it is not `expectedTotalCents`). */
  capture(input: {
    reservationId: string;
    customerId: string;
    currency: string;
    paymentToken: string;
    pricing: PricingRequest;
    expectedTotalCents: number | null;
  }): Promise<{ id: string; amountCents: number; lines: PricedSeat[] }>;
  void(input: { reservationId: string; customerId: string; amountCents: number; currency: string }): Promise<void>;
}

export interface SagaPorts {
  catalog: ScreeningCatalog;
  seats: SeatInventory;
  payments: Payments;
}
