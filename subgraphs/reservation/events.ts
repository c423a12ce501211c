import type { ConsumerOptions, EventType } from "@cinema/platform";
import type { EventEnvelope } from "@cinema/platform/events";
import { handleEachOnce, type OutboxRelay } from "@cinema/platform/outbox";
import type { ReservationDb } from "./data.ts";
import { issueTicket } from "./domain/issue-ticket.ts";

/**
 * What the reservation subgraph publishes (through its outbox) and consumes.
 * - publishes `reservation.confirmed`, `reservation.failed` (domain/reserve.ts),
 *   `reservation.cancelled` (domain/cancel.ts) and `ticket.issued` (domain/issue-ticket.ts).
 * - consumes nothing in the subgraph process itself; its ticket issuer (workers/ticketing, on the
 *   same database) consumes `reservation.confirmed` to issue the ticket outside the booking's request.
 */
/** What the ticket issuer publishes; each of the two processes relays only its own rows of the shared outbox. */
export const TICKETING_EVENTS: EventType[] = ["ticket.issued"];

export function ticketingConsumers(db: ReservationDb, relay: OutboxRelay): ConsumerOptions<EventType>[] {
  // The bookings waiting are ticketed in one transaction (one at a time when they are few).
  const handleBatch = async (events: EventEnvelope<EventType>[]) => {
    await handleEachOnce(db, "reservation.ticketing", events as EventEnvelope<"reservation.confirmed">[], issueTicket);
    void relay.kick();
  };
  return [{ durable: "reservation_ticketing", type: "reservation.confirmed", handleBatch }];
}
