/**
 * What the movie subgraph publishes (through its outbox) and consumes.
 * - publishes `movie.screening-scheduled` (domain/schedule-screening.ts): the seat subgraph builds the
 *   screening's seat map from it (`seats`: the hall's layout parsed at scheduling time, so a later
 *   redraw leaves it alone); mypage keeps the movie title, time and cinema name for "my page".
 * - publishes `movie.screening-cancelled` (domain/cancel-screening.ts): staff called a screening off;
 *   seat closes its seats, reservation cancels and refunds every booking of it.
 * - consumes nothing.
 */
export {};
