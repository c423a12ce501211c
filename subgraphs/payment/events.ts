import type { ConsumerOptions, EventType } from "@cinema/platform";
import type { EventEnvelope } from "@cinema/platform/events";
import type { OutboxRelay } from "@cinema/platform/outbox";
import type { PaymentDb } from "./data.ts";
import type { PaymentProvider } from "./domain/provider.ts";
import { refundCancelled, refundSeats } from "./domain/refund-cancelled.ts";

/**
 * What the payment subgraph consumes and publishes.
 * - consumes `reservation.cancelled` → refunds the charge (what the booking was worth then);
 * - consumes `reservation.seats-cancelled` → refunds those seats' share;
 * - publishes `payment.refunded` (the seat subgraph releases the seats on it: all, or the `seats` named).
 */
export function paymentConsumers(db: PaymentDb, provider: PaymentProvider, relay: OutboxRelay): ConsumerOptions<EventType>[] {
  return [
    {
      durable: "payment_reservation-cancelled",
      type: "reservation.cancelled",
      handle: async (event) => {
        await refundCancelled(db, provider, event as EventEnvelope<"reservation.cancelled">);
        void relay.kick();
      },
    },
    {
      durable: "payment_reservation-seats-cancelled",
      type: "reservation.seats-cancelled",
      handle: async (event) => {
        await refundSeats(db, provider, event as EventEnvelope<"reservation.seats-cancelled">);
        void relay.kick();
      },
    },
  ];
}
