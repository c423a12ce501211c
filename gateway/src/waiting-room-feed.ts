import type { Subscription } from "@nats-io/transport-node";
import { placeInLine, type PlaceInLine, type WaitingRoomTick } from "@cinema/platform/waiting-room";
import { natsFeed } from "./nats-feed.ts";

/** WaitingRoomStatus as the reservation subgraph answers joinWaitingRoom. */
export interface WaitingRoomStatus extends PlaceInLine {
  pass: string | null;
  passExpiresAt: string | null;
}

/**
 * One customer's place in line, live: `first` (their join), then, for each of the room's
 * broadcasts (one per tick for everyone), their position computed here from their number — the
 * server does nothing per customer per tick. When their turn comes, `admit()` asks the reservation
 * subgraph once for the pass; that status (or the room switching off) is the last message.
 * Like natsFeed, `return()` ends the NATS subscription at once.
 */
export function waitingRoomFeed(sub: Subscription, first: WaitingRoomStatus, admit: () => Promise<WaitingRoomStatus>): AsyncIterableIterator<WaitingRoomStatus> {
  const ticks = natsFeed<WaitingRoomTick>(sub, { filter: (t) => t.screeningId === first.screeningId });
  let pending: WaitingRoomStatus | undefined = first;
  let current = first;
  let finished = false;
  const done = (): IteratorResult<WaitingRoomStatus> => ({ done: true, value: undefined });
  const last = (status: WaitingRoomStatus) => !status.open || status.pass !== null;
  const deliver = (status: WaitingRoomStatus): IteratorResult<WaitingRoomStatus> => {
    current = status;
    if (last(status)) finished = true;
    return { done: false, value: status };
  };
  return {
    async next() {
      if (pending) {
        const status = pending;
        pending = undefined;
        return deliver(status);
      }
      while (!finished) {
        const tick = await ticks.next();
        if (tick.done) return done();
        const place = placeInLine(current.number, tick.value);
        if (!place.open) return deliver({ ...place, pass: null, passExpiresAt: null });
        // Your turn: the pass (or, if your turn lapsed meanwhile, your new place at the back).
        if (place.position === 0) return deliver(await admit());
        // Nothing moved for you (a tick without admissions): no message.
        if (place.position !== current.position || place.ratePerSecond !== current.ratePerSecond) return deliver({ ...place, pass: null, passExpiresAt: null });
      }
      await ticks.return?.();
      return done();
    },
    async return() {
      finished = true;
      await ticks.return?.();
      return done();
    },
    async throw(err?: unknown) {
      finished = true;
      await ticks.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
