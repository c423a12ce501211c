import type { NatsConnection } from "@nats-io/transport-node";
import { liveWaitingRoomSubject, placeInLine, type PlaceInLine, type WaitingRoomTick } from "@cinema/platform/waiting-room";
import { logger } from "@cinema/platform/logger";

/** WaitingRoomStatus as the reservation subgraph answers joinWaitingRoom. */
export interface WaitingRoomStatus extends PlaceInLine {
  pass: string | null;
  passExpiresAt: string | null;
}

type Listener = (tick: WaitingRoomTick) => void;

/**
 * The rooms' broadcasts at this gateway: ONE NATS subscription per room however many customers
 * wait here, each tick handed to every waiting customer in-process (the broadcast's fan-out), and
 * ended when the last of them leaves.
 */
export function roomBroadcasts(nc: NatsConnection, prefix: string) {
  const rooms = new Map<string, { listeners: Set<Listener>; stop: () => void }>();
  const open = (screeningId: string) => {
    const listeners = new Set<Listener>();
    const sub = nc.subscribe(liveWaitingRoomSubject(prefix, screeningId), {
      callback: (err, msg) => {
        if (err) return;
        let tick: WaitingRoomTick;
        try {
          tick = msg.json<WaitingRoomTick>();
        } catch (error) {
          logger.warn({ err: error, subject: msg.subject }, "undecodable waiting-room tick skipped");
          return;
        }
        if (tick.screeningId === screeningId) for (const listener of listeners) listener(tick);
      },
    });
    const room = { listeners, stop: () => sub.unsubscribe() };
    rooms.set(screeningId, room);
    return room;
  };
  return {
    listen(screeningId: string, listener: Listener): () => void {
      const room = rooms.get(screeningId) ?? open(screeningId);
      room.listeners.add(listener);
      return () => {
        room.listeners.delete(listener);
        if (room.listeners.size === 0 && rooms.get(screeningId) === room) {
          rooms.delete(screeningId);
          room.stop();
        }
      };
    },
    /** Rooms with a NATS subscription at this gateway. */
    size: () => rooms.size,
  };
}
export type RoomBroadcasts = ReturnType<typeof roomBroadcasts>;

/**
 * One customer's place in line, live: their join (`start`), then for each of the room's broadcasts
 * their position computed here from their number — the servers do nothing per customer per tick.
 * Only the newest tick matters (the counter only grows), so a slow client never piles them up.
 * When their turn comes, `admit()` asks the reservation subgraph once for the pass; that status
 * (or the room switching off) is the last message. `return()` stops listening at once.
 */
export function waitingRoomFeed(
  listen: (l: Listener) => () => void,
  admit: () => Promise<WaitingRoomStatus>,
): AsyncIterableIterator<WaitingRoomStatus> & { start(first: WaitingRoomStatus): void } {
  let latest: WaitingRoomTick | undefined;
  let wake: (() => void) | undefined;
  const stop = listen((tick) => {
    latest = tick;
    wake?.();
  });
  let pending: WaitingRoomStatus | undefined;
  let current: WaitingRoomStatus;
  let finished = false;
  const end = (): IteratorResult<WaitingRoomStatus> => {
    finished = true;
    stop();
    wake?.();
    return { done: true, value: undefined };
  };
  const deliver = (status: WaitingRoomStatus): IteratorResult<WaitingRoomStatus> => {
    current = status;
    if (!status.open || status.pass !== null) {
      finished = true; // the last message: nothing more to listen for
      stop();
    }
    return { done: false, value: status };
  };
  return {
    /** The join's answer: listening began before it, so no tick in between is missed. */
    start(first: WaitingRoomStatus) {
      pending = current = first;
    },
    async next() {
      if (pending) {
        const status = pending;
        pending = undefined;
        return deliver(status);
      }
      while (!finished) {
        if (!latest) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const tick = latest;
        latest = undefined;
        // A tick older than what we last told (e.g. sent just before the join read the room).
        if (tick.enabled && tick.admittedUpTo < current.admittedUpTo) continue;
        const place = placeInLine(current.number, tick);
        if (!place.open) return deliver({ ...place, pass: null, passExpiresAt: null });
        // Your turn: the pass (or, if your turn lapsed meanwhile, your new place at the back).
        if (place.position === 0) return deliver(await admit());
        // Nothing moved for you (a tick without admissions): no message.
        if (place.position !== current.position || place.ratePerSecond !== current.ratePerSecond) return deliver({ ...place, pass: null, passExpiresAt: null });
      }
      return end();
    },
    async return() {
      return end();
    },
    async throw(err?: unknown) {
      end();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
