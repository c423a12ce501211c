import { intEnv } from "@cinema/platform/config";
import { liveSeatsFreedSubject, liveSeatsSubject, type SeatMapChange, type SeatsFreed } from "@cinema/platform/events";
import { publishLive, type EventBus } from "@cinema/platform/nats";
import { logger } from "@cinema/platform/logger";
import type { SeatDb } from "../data.ts";
import { FREE } from "./holds.ts";

const coalesceMs = () => intEnv("SEAT_ANNOUNCE_COALESCE_MS", 50);
const pending = new Map<string, Set<string>>();

/**
 * Tells seatMapChanged subscribers which seats of a screening changed, after the change committed.
 * Changes to one screening within SEAT_ANNOUNCE_COALESCE_MS (default 50) go out as one message
 * with each seat's state at send time: a busy screening costs one seat-map query per interval,
 * not two per booking (hold, then sale). Fire and forget: a seat map that misses one message is
 * corrected by the next (or a reload).
 */
export function announceSeats(db: SeatDb, bus: EventBus, screeningId: string, labels: string[]): void {
  if (labels.length === 0) return;
  const waiting = pending.get(screeningId);
  if (waiting) {
    for (const label of labels) waiting.add(label);
    return;
  }
  pending.set(screeningId, new Set(labels));
  setTimeout(() => {
    const changed = [...(pending.get(screeningId) ?? [])];
    pending.delete(screeningId);
    void publishSeatMapChange(db, bus, screeningId, changed);
  }, coalesceMs()).unref();
}

async function publishSeatMapChange(db: SeatDb, bus: EventBus, screeningId: string, labels: string[]): Promise<void> {
  try {
    // One round trip: the changed seats and the screening's free count.
    const [row] = await db.$queryRawUnsafe<{ seats: SeatMapChange["seats"]; available: bigint }[]>(
      `SELECT coalesce(json_agg(json_build_object('label', label, 'row', "row", 'number', number,
                'status', CASE WHEN ${FREE} THEN 'AVAILABLE' ELSE status::text END,
                'seatClass', seat_class, 'gridRow', grid_row, 'gridColumn', grid_column, 'pairLabel', pair_label) ORDER BY position)
                FILTER (WHERE label = ANY($2::text[])), '[]') AS seats,
              count(*) FILTER (WHERE ${FREE}) AS available
         FROM seat WHERE screening_id = $1::uuid`,
      screeningId,
      labels,
    );
    const change: SeatMapChange = { screeningId, seats: row?.seats ?? [], availableSeatCount: Number(row?.available ?? 0) };
    publishLive(bus, liveSeatsSubject(bus.prefix, screeningId), change);
    const freed = change.seats.filter((seat) => seat.status === "AVAILABLE").map((seat) => seat.label);
    if (freed.length) publishLive(bus, liveSeatsFreedSubject(bus.prefix), { screeningId, labels: freed } satisfies SeatsFreed);
  } catch (err) {
    logger.debug({ err }, "seat map announcement failed");
  }
}
