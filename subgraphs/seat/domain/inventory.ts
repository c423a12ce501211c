import type { EventEnvelope } from "@cinema/platform/events";
import type { SeatDb } from "../data.ts";
import { seatLayout, seatsFromLayout } from "./layout.ts";

type Tx = Parameters<Parameters<SeatDb["$transaction"]>[0]>[0];

/**
 * Builds a new screening's seat map from the layout it was scheduled with: every seat AVAILABLE
 * but those the layout blocks. Older events (no `seats`) get the rows × seatsPerRow rectangle.
 * Idempotent on the screening id.
 */
export async function createInventory(tx: Tx, event: EventEnvelope<"movie.screening-scheduled">): Promise<void> {
  const { screeningId, rows, seatsPerRow, startsAt } = event.data;
  // Older events were typed without `seats`; the field may be missing on the wire.
  const layout = (event.data as { seats?: typeof event.data.seats }).seats;
  const created = await tx.screeningInventory.createMany({
    data: [{ screeningId, rows, seatsPerRow, startsAt: new Date(startsAt) }],
    skipDuplicates: true,
  });
  if (created.count === 0) return;
  const seats = layout?.length ? seatsFromLayout(layout) : seatLayout(rows, seatsPerRow);
  await tx.seat.createMany({ data: seats.map((seat) => ({ ...seat, screeningId })) });
}
