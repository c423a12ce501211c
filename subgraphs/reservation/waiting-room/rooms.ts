import { liveWaitingRoomSubject, type WaitingRoomTick } from "@cinema/platform/waiting-room";
import { publishLive, type EventBus } from "@cinema/platform/nats";
import type { ReservationDb } from "../data.ts";
import { cacheMs } from "./settings.ts";

/** A room's row as the API shows it. */
export interface RoomRow {
  screeningId: string;
  enabled: boolean;
  ratePerSecond: number;
  passTtlSeconds: number;
  joined: number;
  admitted: number;
}

export const asTick = (room: Pick<RoomRow, "screeningId" | "enabled" | "ratePerSecond" | "joined" | "admitted">): WaitingRoomTick => ({
  screeningId: room.screeningId,
  enabled: room.enabled,
  admittedUpTo: Math.floor(room.admitted),
  joined: room.joined,
  ratePerSecond: room.ratePerSecond,
});

/**
 * Whether a screening's waiting room is on, as `reserve` asks it for every booking: a cached lookup
 * (one query per screening per WAITING_ROOM_CACHE_MS, concurrent askers share it), refreshed at
 * once by the room's own broadcasts (every tick while on; staff's switch) in every replica.
 */
const known = new Map<string, { enabled: Promise<boolean>; until: number }>();
function remember(screeningId: string, enabled: Promise<boolean>) {
  if (known.size > 10_000) known.clear(); // bounded: forgetting costs one query
  known.set(screeningId, { enabled, until: Date.now() + cacheMs() });
}

export function roomEnabled(db: ReservationDb, screeningId: string): Promise<boolean> {
  const hit = known.get(screeningId);
  if (hit && hit.until > Date.now()) return hit.enabled;
  const enabled = db.waitingRoom.findUnique({ where: { screeningId }, select: { enabled: true } }).then((r) => r?.enabled ?? false);
  remember(screeningId, enabled);
  enabled.catch(() => known.delete(screeningId)); // a failed read is not remembered
  return enabled;
}

/** Tells every replica and every waiting customer the room's counters (and remembers them here). */
export function announce(bus: EventBus, tick: WaitingRoomTick): void {
  remember(tick.screeningId, Promise.resolve(tick.enabled));
  publishLive(bus, liveWaitingRoomSubject(bus.prefix, tick.screeningId), tick);
}

/** Follows every room's broadcasts (other replicas' ticks and switches). A job: returns its stop. */
export const followRooms = (bus: EventBus) => () => {
  const subscription = bus.nc.subscribe(liveWaitingRoomSubject(bus.prefix, "*"), {
    callback: (err, msg) => {
      if (err) return;
      try {
        const tick = msg.json<WaitingRoomTick>();
        if (typeof tick.screeningId === "string" && typeof tick.enabled === "boolean") remember(tick.screeningId, Promise.resolve(tick.enabled));
      } catch {
        // not a tick: nothing to learn
      }
    },
  });
  return () => subscription.unsubscribe();
};
