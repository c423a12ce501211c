import type { EventEnvelope, EventType } from "@cinema/platform/events";
import { handleEachOnce } from "@cinema/platform/outbox";
import type { MypageTx } from "./data.ts";
import { DASHBOARD_EVENTS, projectDashboardEvent } from "./dashboard/projection.ts";
import { MYPAGE_EVENTS, bookingOf, lockBookings, projectMypageEvent } from "./domain/projection.ts";

/** What runs a projection's transaction: the service's Prisma client, or one bound to a rebuild's schema. */
export interface TransactionRunner {
  $transaction<R>(fn: (tx: MypageTx) => Promise<R>, options?: { timeout?: number }): Promise<R>;
}

/**
 * A read model of the mypage subgraph: its tables, the events that feed it and how a batch of them
 * is applied. The live consumers (events.ts, dashboard/events.ts) and the rebuild (rebuild/) apply
 * events the same way, so a rebuilt model is what the live one would have become.
 */
export interface ReadModel {
  name: "MYPAGE" | "DASHBOARD";
  /** For messages: "my page", "the dashboard". */
  label: string;
  /** Its processed-event bookkeeping (processed_event.consumer). */
  consumer: string;
  /** Its tables, swapped together by a rebuild. */
  tables: readonly string[];
  eventTypes: readonly EventType[];
  /** Second key of its advisory lock (see pausable). */
  lockKey: number;
  /** Applies `events` in one transaction, each at most once; returns the ids whose figures changed. */
  project(db: TransactionRunner, events: EventEnvelope<EventType>[]): Promise<string[]>;
}

/** Applies each new event with `project` in one transaction (handleEachOnce) and collects what changed. */
async function applyOnce(
  db: TransactionRunner,
  consumer: string,
  events: EventEnvelope<EventType>[],
  project: (tx: MypageTx, e: EventEnvelope<EventType>) => Promise<string | null>,
  prepare?: (tx: MypageTx, fresh: EventEnvelope<EventType>[]) => Promise<unknown>,
): Promise<string[]> {
  const changed = new Set<string>();
  await handleEachOnce(
    db,
    consumer,
    events,
    async (tx: MypageTx, event) => {
      const id = await project(tx, event);
      if (id) changed.add(id);
    },
    prepare,
  );
  return [...changed];
}

export const MYPAGE: ReadModel = {
  name: "MYPAGE",
  label: "my page",
  consumer: "mypage.projection",
  tables: ["screening_info", "my_reservation", "status_change", "early_event"],
  eventTypes: MYPAGE_EVENTS,
  lockKey: 1,
  // The bookings of a batch are locked in one fixed order first (two batches never wait on each
  // other's locks in a cycle); see lockBookings.
  project: (db, events) =>
    applyOnce(db, "mypage.projection", events, projectMypageEvent, (tx, fresh) => lockBookings(tx, fresh.map(bookingOf).filter((id): id is string => !!id))),
};

export const DASHBOARD: ReadModel = {
  name: "DASHBOARD",
  label: "the dashboard",
  consumer: "dashboard.projection",
  tables: ["dashboard_screening", "dashboard_booking"],
  eventTypes: DASHBOARD_EVENTS,
  lockKey: 2,
  project: (db, events) => applyOnce(db, "dashboard.projection", events, projectDashboardEvent),
};

export const READ_MODELS = { MYPAGE, DASHBOARD } as const;

/** First key of the read models' advisory locks (the second is ReadModel.lockKey). */
export const READ_MODEL_LOCK = 0x6d797067; // "mypg"

/**
 * The live consumers' transactions take the model's lock shared, as their first statement; a
 * rebuild takes it exclusively for the moment it swaps the tables in. So the live projection
 * pauses for that moment (its events wait, nothing is lost), and never writes half into the old
 * tables and half into the new.
 */
export function pausable(db: TransactionRunner, model: ReadModel): TransactionRunner {
  return {
    $transaction: (fn, options) =>
      db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${READ_MODEL_LOCK}::int, ${model.lockKey}::int)`;
        return fn(tx);
      }, options),
  };
}
