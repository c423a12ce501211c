import type { ConsumerOptions, EventType } from "@cinema/platform";
import { handleOnce } from "@cinema/platform/outbox";
import type { SeatDb } from "./data.ts";
import { createInventory } from "./domain/inventory.ts";

/**
 * What the seat subgraph consumes and publishes.
 * - consumes `movie.screening-scheduled` → builds the screening's seat map.
 * - publishes nothing yet.
 */
export function seatConsumers(db: SeatDb): ConsumerOptions<EventType>[] {
  return [
    {
      durable: "seat_movie-screening-scheduled",
      type: "movie.screening-scheduled",
      handle: (event) => handleOnce(db, "seat.inventory", event, (tx) => createInventory(tx, event as never)).then(() => {}),
    },
  ];
}
