import type { PricedSeat, SeatClass } from "@cinema/platform/events";
import type { TicketType } from "./validation.ts";

/** What the reserve saga needs from the other subgraphs; clients.ts implements these over GraphQL. */
export interface ScreeningCatalog {
  /** A screening staff cancelled is refused here (BAD_USER_INPUT saying so): it is never booked. */
  screening(id: string): Promise<{
    id: string;
    startsAt: string;
    priceCents: number;
    currency: string;
    onSale: boolean;
    /** The cinema's own rules: its time zone prices time rules, its limit caps a booking. */
    cinema: { id: string; timeZone: string; maxSeatsPerBooking: number; cancelCutoffMinutes: number };
  } | null>;
  /** The cinema's cancellation cutoff for a screening (null: unknown screening), cancelled or not. */
  cancelCutoffMinutes(screeningId: string): Promise<number | null>;
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
  /** A line's gift voucher pays that seat whole (payment redeems it with the charge). */
  lines: { seat: string; seatClass: SeatClass; ticketType: TicketType; voucherCode: string | null }[];
}

export interface Payments {
  /** False while payment's circuit breaker is open: the saga then refuses before holding seats. */
  accepting(): boolean;
  /**
   * Prices the seats with the cinema's rules (PRICE_CHANGED if the total is not `expectedTotalCents`),
   * redeems the lines' vouchers (VOUCHER_INVALID) and charges the card the rest: `amountCents`.
   */
  capture(input: {
    reservationId: string;
    customerId: string;
    currency: string;
    /** Null only when vouchers pay every seat. */
    paymentToken: string | null;
    pricing: PricingRequest;
    expectedTotalCents: number | null;
  }): Promise<{ id: string; amountCents: number; lines: PricedSeat[] }>;
  void(input: { reservationId: string; customerId: string; amountCents: number; currency: string }): Promise<void>;
  /** What became of a booking's payment (the reconciliation job: did a saga that died pay?); null: none. */
  outcome(reservationId: string): Promise<{ id: string; status: string; amountCents: number; lines: PricedSeat[] | null } | null>;
}

export interface SagaPorts {
  catalog: ScreeningCatalog;
  seats: SeatInventory;
  payments: Payments;
}
