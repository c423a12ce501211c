/**
 * What the movie subgraph publishes (through its outbox) and consumes.
 * - publishes `movie.screening-scheduled` (domain/schedule-screening.ts): the seat subgraph builds the
 *   screening's seat map from it; mypage keeps the movie title and time for "my page".
 * - consumes nothing.
 */
export {};
