import type { EventEnvelope } from "@cinema/platform/events";
import type { SeatDb } from "../data.ts";
import { seatLayout } from "./layout.ts";

type Tx = Parameters<Parameters<SeatDb["$transaction"]>[0]>[0];

/** Builds a new screening's seat map, every seat AVAILABLE. Idempotent on the screening id. */
export async function createInventory(tx: Tx, event: EventEnvelope<"movie.screening-scheduled">): Promise<void> {
  const { screeningId, rows, seatsPerRow, startsAt } = event.data;
  const created = await tx.screeningInventory.createMany({
    data: [{ screeningId, rows, seatsPerRow, startsAt: new Date(startsAt) }],
    skipDuplicates: true,
  });
  if (created.count === 0) return;
  await tx.seat.createMany({ data: seatLayout(rows, seatsPerRow).map((seat) => ({ ...seat, screeningId })) });
}
