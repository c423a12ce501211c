import type { EventBus } from "@cinema/platform/nats";
import { periodicJob } from "@cinema/platform/subgraph";
import type { ReservationDb } from "../data.ts";
import { announce, asTick, type RoomRow } from "./rooms.ts";
import { tickMs } from "./settings.ts";

/** An arbitrary constant: the advisory lock only one replica's tick holds at a time. */
const TICK_LOCK = 0x57a17;

/**
 * One tick for every open room, in one statement: `admitted` advances by rate × the time since it
 * last advanced (never past `joined`), so however many replicas tick, admission keeps the rate (the
 * row lock orders them, and the second sees no time elapsed); the advisory lock only spares a
 * duplicate broadcast. Then ONE live message per room carries its counters to every waiting
 * client: the work per tick is per room, never per customer.
 */
export async function tick(db: ReservationDb, bus: EventBus): Promise<RoomRow[]> {
  const rooms = await db.$queryRaw<RoomRow[]>`
    WITH lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(${TICK_LOCK}) AS got)
    UPDATE waiting_room
       SET admitted = LEAST(joined::float8, admitted + rate_per_second * GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - advanced_at))::float8),
           advanced_at = clock_timestamp()
     WHERE enabled AND (SELECT got FROM lock)
    RETURNING screening_id::text AS "screeningId", enabled, rate_per_second AS "ratePerSecond",
              pass_ttl_seconds AS "passTtlSeconds", joined, admitted`;
  for (const room of rooms) announce(bus, asTick(room));
  return rooms;
}

export const waitingRoomTicker = (db: ReservationDb, bus: EventBus) =>
  periodicJob("waiting-room-tick", tickMs() / 1000, () => tick(db, bus));
