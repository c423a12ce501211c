/** What the reserve saga needs from the other subgraphs; clients.ts implements these over GraphQL. */
export interface ScreeningCatalog {
  screening(id: string): Promise<{ id: string; startsAt: string; priceCents: number; currency: string; onSale: boolean } | null>;
}

export interface SeatInventory {
  hold(reservationId: string, screeningId: string, labels: string[]): Promise<void>;
  confirm(reservationId: string, count: number): Promise<void>;
  release(reservationId: string): Promise<void>;
}

export interface Payments {
  /** False while payment's circuit breaker is open: the saga then refuses before holding seats. */
  accepting(): boolean;
  capture(input: { reservationId: string; customerId: string; amountCents: number; currency: string; paymentToken: string }): Promise<{ id: string }>;
  void(input: { reservationId: string; customerId: string; amountCents: number; currency: string }): Promise<void>;
}

export interface SagaPorts {
  catalog: ScreeningCatalog;
  seats: SeatInventory;
  payments: Payments;
}
