import type { ConsumerOptions, EventType } from "@cinema/platform";
import type { EventEnvelope } from "@cinema/platform/events";
import { handleOnce } from "@cinema/platform/outbox";
import type { MypageDb, MypageTx } from "./data.ts";
import { projectConfirmed, projectScreening } from "./domain/projection.ts";

/**
 * mypage publishes nothing; it consumes booking events into its read model:
 * - `movie.screening-scheduled` → screening facts (title, auditorium, time);
 * - `reservation.confirmed` → a row on the customer's page.
 */
export function mypageConsumers(db: MypageDb): ConsumerOptions<EventType>[] {
  const project =
    <T extends EventType>(apply: (tx: MypageTx, e: EventEnvelope<T>) => Promise<void>) =>
    (event: EventEnvelope<EventType>) =>
      handleOnce(db, "mypage.projection", event, (tx) => apply(tx, event as EventEnvelope<T>)).then(() => {});
  return [
    { durable: "mypage_movie-screening-scheduled", type: "movie.screening-scheduled", handle: project(projectScreening) },
    { durable: "mypage_reservation-confirmed", type: "reservation.confirmed", handle: project(projectConfirmed) },
  ];
}
