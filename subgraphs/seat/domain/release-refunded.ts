import { createEvent, type EventEnvelope } from "@cinema/platform/events";
import { enqueueEvents, handleOnce } from "@cinema/platform/outbox";
import type { SeatDb } from "../data.ts";
import { releaseSeats, type Released } from "./holds.ts";

/**
 * A cancelled booking's refund went through: its seats go back on sale (only the refunded ones when
 * some seats of it were cancelled), and `seat.released` says so (with no seats if they were already
 * free). Applied once per refund event.
 */
export async function releaseRefunded(db: SeatDb, event: EventEnvelope<"payment.refunded">): Promise<Released | null> {
  const { reservationId, seats, cancellationId } = event.data;
  let released: Released | null = null;
  await handleOnce(db, "seat.release", event, async (tx) => {
    released = await releaseSeats(tx, reservationId, ["HELD", "SOLD"], seats);
    await enqueueEvents(
      tx,
      createEvent(
        "seat.released",
        reservationId,
        { reservationId, screeningId: released.screeningId, seats: released.labels, ...(cancellationId && { cancellationId }) },
        event.aggregateVersion,
      ),
    );
  });
  return released;
}
