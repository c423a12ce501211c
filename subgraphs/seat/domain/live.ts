import { liveSeatsSubject, type SeatMapChange } from "@cinema/platform/events";
import { publishLive, type EventBus } from "@cinema/platform/nats";
import { logger } from "@cinema/platform/logger";
import type { SeatDb } from "../data.ts";
import { FREE } from "./holds.ts";

/**
 * Tells seatMapChanged subscribers which seats of a screening changed, after the change committed.
 * Fire and forget: a seat map that misses one message is corrected by the next (or a reload).
 */
export function announceSeats(db: SeatDb, bus: EventBus, screeningId: string, labels: string[]): void {
  if (labels.length === 0) return;
  (async () => {
    const seats = await db.$queryRawUnsafe<SeatMapChange["seats"]>(
      `SELECT label, "row", number, CASE WHEN ${FREE} THEN 'AVAILABLE' ELSE status::text END AS status
         FROM seat WHERE screening_id = $1::uuid AND label = ANY($2::text[]) ORDER BY position`,
      screeningId,
      labels,
    );
    const [count] = await db.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) FILTER (WHERE ${FREE}) AS n FROM seat WHERE screening_id = $1::uuid`,
      screeningId,
    );
    const change: SeatMapChange = { screeningId, seats, availableSeatCount: Number(count?.n ?? 0) };
    publishLive(bus, liveSeatsSubject(bus.prefix, screeningId), change);
  })().catch((err) => logger.debug({ err }, "seat map announcement failed"));
}
