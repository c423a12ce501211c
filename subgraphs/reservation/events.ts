/**
 * What the reservation subgraph publishes (through its outbox) and consumes.
 * - publishes `reservation.confirmed` and `reservation.failed` (domain/reserve.ts).
 * - consumes nothing yet.
 */
export const publishes = ["reservation.confirmed", "reservation.failed"] as const;
