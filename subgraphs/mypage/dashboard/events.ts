import type { ConsumerOptions, EventType } from "@cinema/platform";
import { liveDashboardSubject, type DashboardChange, type EventEnvelope } from "@cinema/platform/events";
import { publishLive, type EventBus } from "@cinema/platform/nats";
import type { MypageDb } from "../data.ts";
import { DASHBOARD, pausable } from "../read-models.ts";

/**
 * The dashboard's own durable consumers (dashboard_<event>), beside my page's: their own
 * processed-event bookkeeping, so either model can be rebuilt or lag without the other. After each
 * batch, staff watching the dashboard are told which screenings moved (best effort, after commit).
 */
export function dashboardConsumers(db: MypageDb, bus: EventBus): ConsumerOptions<EventType>[] {
  const live = pausable(db, DASHBOARD);
  const handleBatch = async (events: EventEnvelope<EventType>[]) => {
    const screeningIds = await DASHBOARD.project(live, events);
    if (screeningIds.length) publishLive(bus, liveDashboardSubject(bus.prefix), { screeningIds, at: new Date().toISOString() } satisfies DashboardChange);
  };
  return DASHBOARD.eventTypes.map((type) => ({ durable: `dashboard_${type.replace(".", "-")}`, type, handleBatch }));
}
