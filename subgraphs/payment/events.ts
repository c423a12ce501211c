/**
 * What the payment subgraph publishes and consumes.
 * - publishes nothing yet; consumes nothing yet (refunds on `reservation.cancelled` come with cancellation).
 */
export const publishes = [] as const;
