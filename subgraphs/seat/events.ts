import type { ConsumerOptions, EventType } from "@cinema/platform";
import type { EventEnvelope } from "@cinema/platform/events";
import { handleOnce, type OutboxRelay } from "@cinema/platform/outbox";
import type { EventBus } from "@cinema/platform/nats";
import type { SeatDb } from "./data.ts";
import { createInventory } from "./domain/inventory.ts";
import { announceSeats } from "./domain/live.ts";
import { releaseRefunded } from "./domain/release-refunded.ts";
import { closeScreening } from "./domain/close-screening.ts";

/**
 * What the seat subgraph consumes and publishes.
 * - consumes `movie.screening-scheduled` → builds the screening's seat map;
 * - consumes `movie.screening-cancelled` → closes every seat of the screening (BLOCKED for good);
 * - consumes `payment.refunded` → releases a cancelled booking's seats, publishes `seat.released`
 *   (of a closed screening nothing is released: its seats stay closed).
 */
export function seatConsumers(db: SeatDb, bus: EventBus, relay: OutboxRelay): ConsumerOptions<EventType>[] {
  return [
    {
      durable: "seat_movie-screening-scheduled",
      type: "movie.screening-scheduled",
      handle: async (event) => {
        await handleOnce(db, "seat.inventory", event, (tx) => createInventory(tx, event as EventEnvelope<"movie.screening-scheduled">));
      },
    },
    {
      durable: "seat_movie-screening-cancelled",
      type: "movie.screening-cancelled",
      handle: async (event) => {
        const { screeningId } = (event as EventEnvelope<"movie.screening-cancelled">).data;
        let closed: string[] = [];
        await handleOnce(db, "seat.close", event, async (tx) => (closed = await closeScreening(tx, screeningId)));
        announceSeats(db, bus, screeningId, closed);
      },
    },
    {
      durable: "seat_payment-refunded",
      type: "payment.refunded",
      handle: async (event) => {
        const released = await releaseRefunded(db, event as EventEnvelope<"payment.refunded">);
        void relay.kick();
        if (released?.screeningId) announceSeats(db, bus, released.screeningId, released.labels);
      },
    },
  ];
}
