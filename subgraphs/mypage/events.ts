import type { ConsumerOptions, EventType } from "@cinema/platform";
import { liveMypageSubject, type EventEnvelope } from "@cinema/platform/events";
import { publishLive, type EventBus } from "@cinema/platform/nats";
import type { MypageDb } from "./data.ts";
import { MYPAGE, pausable } from "./read-models.ts";
import { loadMyReservations, toGraphQL } from "./queries.ts";

/**
 * mypage publishes no events; it consumes every booking event into its read model, then tells the
 * booking's customer (live subscriptions) what the booking looks like now.
 */
export function mypageConsumers(db: MypageDb, bus: EventBus): ConsumerOptions<EventType>[] {
  const live = pausable(db, MYPAGE);
  // Under load the events waiting are projected in one transaction (MYPAGE.project).
  const handleBatch = async (events: EventEnvelope<EventType>[]) => {
    const changed = await MYPAGE.project(live, events);
    if (changed.length) {
      for (const row of await loadMyReservations(db, changed)) publishLive(bus, liveMypageSubject(bus.prefix, row.customerId), toGraphQL(row));
    }
  };
  return MYPAGE.eventTypes.map((type) => ({ durable: `mypage_${type.replace(".", "-")}`, type, handleBatch }));
}
