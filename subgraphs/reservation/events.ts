import type { ConsumerOptions, EventType } from "@cinema/platform";
import type { EventEnvelope } from "@cinema/platform/events";
import { handleEachOnce, type OutboxRelay } from "@cinema/platform/outbox";
import type { ReservationDb } from "./data.ts";
import { issueTicket } from "./domain/issue-ticket.ts";
import { recordRefunded, recordScreeningCancelled } from "./domain/cancel-screening.ts";

/**
 * What the reservation subgraph publishes (through its outbox) and consumes.
 * - publishes `reservation.confirmed`, `reservation.failed` (domain/reserve.ts),
 *   `reservation.cancelled` (domain/cancel.ts, also for each booking of a screening staff called
 *   off: domain/cancel-screening.ts) and `ticket.issued` (domain/issue-ticket.ts).
 * - consumes, in the subgraph process, `movie.screening-cancelled` (records the work; the bookings
 *   are cancelled in batches right after, and again by a periodic run until none is left) and
 *   `payment.refunded` (when each cancelled booking's money went back: the cancellation's progress).
 * - its ticket issuer (workers/ticketing, on the same database) consumes `reservation.confirmed` to
 *   issue the ticket outside the booking's request.
 */
/** What the ticket issuer publishes; each of the two processes relays only its own rows of the shared outbox. */
export const TICKETING_EVENTS: EventType[] = ["ticket.issued"];

export function ticketingConsumers(db: ReservationDb, relay: OutboxRelay): ConsumerOptions<EventType>[] {
  // The bookings waiting are ticketed in one transaction (one at a time when they are few).
  const handleBatch = async (events: EventEnvelope<EventType>[]) => {
    const issued: EventEnvelope[] = [];
    await handleEachOnce(db, "reservation.ticketing", events as EventEnvelope<"reservation.confirmed">[], async (tx, event) => {
      const ticket = await issueTicket(tx, event);
      if (ticket) issued.push(ticket);
    });
    // Committed: published from memory (a retried batch starts with an empty list).
    relay.publishCommitted(...issued);
  };
  return [{ durable: "reservation_ticketing", type: "reservation.confirmed", handleBatch }];
}

/** The subgraph process's own consumers; `cancelBookings` starts cancelling a called-off screening's bookings. */
export function reservationConsumers(db: ReservationDb, cancelBookings: () => Promise<void>): ConsumerOptions<EventType>[] {
  return [
    {
      durable: "reservation_movie-screening-cancelled",
      type: "movie.screening-cancelled",
      handleBatch: async (events) => {
        await handleEachOnce(db, "reservation.screening-cancelled", events as EventEnvelope<"movie.screening-cancelled">[], recordScreeningCancelled);
        void cancelBookings();
      },
    },
    {
      durable: "reservation_payment-refunded",
      type: "payment.refunded",
      handleBatch: async (events) => {
        await handleEachOnce(db, "reservation.refunds", events as EventEnvelope<"payment.refunded">[], recordRefunded);
      },
    },
  ];
}
