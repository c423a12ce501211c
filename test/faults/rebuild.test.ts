// Rebuilding the read models while bookings continue: under load (bookings, cancellations, reads
// of my page, declined cards), staff rebuild my page and the dashboard from the event stream, each
// twice; the live tables are swapped mid-load. Every request must succeed (the swap costs readers
// milliseconds, not errors), and afterwards the shared invariant check holds (my page = the owners'
// truth) and the dashboard agrees with the owners' truth booking by booking.
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor, type TestStack } from "../harness.ts";
import { reserve } from "../fixtures.ts";
import { finishCase, startFaultStack } from "./common.ts";
import type { Violation } from "./invariants.ts";
import { freshSeats, startLoad, type SeatPool } from "./load.ts";

let t: TestStack;
let seats: SeatPool;
beforeAll(async () => {
  t = await startFaultStack();
  seats = await freshSeats(t, 4);
});
afterAll(async () => {
  await t?.cleanup();
});

const REBUILD = `mutation ($m: ReadModel!) { rebuildReadModel(model: $m) { id } }`;
const STATUS = `query ($id: ID!) { readModelRebuild(id: $id) { state eventsReplayed error } }`;

async function query<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The dashboard against the owners' truth: one row per booking that was confirmed (cancelled ones
 * included), with its screening, seats and amount; cancelled exactly when the reservation is; the
 * refund exactly when payment refunded it; nothing for a booking that never went through.
 */
async function dashboardViolations(): Promise<Violation[]> {
  const urls = t.stack.databaseUrls;
  const [reservations, payments, rows] = await Promise.all([
    query<{ id: string; screening_id: string; seats: string[]; amount_cents: number; status: string }>(urls.reservation!, `SELECT id::text, screening_id::text, seats, amount_cents, status::text FROM reservation`),
    // Refunded: the whole booking's refund (what it was worth then) plus the refunds of seats cancelled from it.
    query<{ reservation_id: string; refunded_cents: number }>(
      urls.payment!,
      `SELECT p.reservation_id::text,
              (CASE WHEN p.status = 'REFUNDED' THEN COALESCE(p.refund_cents, p.amount_cents) ELSE 0 END
               + COALESCE((SELECT sum(r.amount_cents) FROM partial_refund r WHERE r.payment_id = p.id AND r.refunded_at IS NOT NULL), 0))::int AS refunded_cents
         FROM payment p`,
    ),
    // The dashboard keeps what was booked and charged, and takes seats cancelled later and their refunds off.
    query<{ reservation_id: string; screening_id: string | null; seat_count: number; amount_cents: number; confirmed: boolean; cancelled: boolean; refunded_cents: number }>(
      urls.mypage!,
      `SELECT reservation_id::text, screening_id::text, seat_count - cardinality(cancelled_seats) AS seat_count, amount_cents - partial_refunded_cents AS amount_cents,
              confirmed, cancelled, refunded_cents + partial_refunded_cents AS refunded_cents
         FROM dashboard_booking`,
    ),
  ]);
  const out: Violation[] = [];
  const byId = new Map(rows.map((r) => [r.reservation_id, r]));
  const refunded = new Map(payments.map((p) => [p.reservation_id, p.refunded_cents]));
  const live = new Set<string>();
  for (const r of reservations) {
    if (r.status !== "CONFIRMED" && r.status !== "CANCELLED") continue;
    live.add(r.id);
    const d = byId.get(r.id);
    if (!d) {
      out.push({ invariant: "dashboard.row-per-booking", detail: `${r.status} reservation ${r.id} is missing from the dashboard` });
      continue;
    }
    // screening, seats, amount, confirmed, cancelled, refunded
    const want = JSON.stringify([r.screening_id, r.seats.length, r.amount_cents, true, r.status === "CANCELLED", refunded.get(r.id) ?? 0]);
    const got = JSON.stringify([d.screening_id, d.seat_count, d.amount_cents, d.confirmed, d.cancelled, d.refunded_cents]);
    if (got !== want) out.push({ invariant: "dashboard.matches-owners", detail: `reservation ${r.id}: dashboard ${got} ≠ ${want} (screening, seats, amount, confirmed, cancelled, refunded)` });
  }
  for (const d of rows) if (!live.has(d.reservation_id)) out.push({ invariant: "dashboard.row-per-booking", detail: `the dashboard counts ${d.reservation_id}, which is no confirmed or cancelled booking` });
  return out;
}

describe("rebuild while bookings continue", () => {
  it("rebuilds my page and the dashboard twice each under load: every request succeeds, both models equal the owners' truth", async () => {
    const admin = await t.tokenFor("staff", "admin");
    const load = startLoad(t, { seats, customers: 6, durationMs: 90_000, cancelShare: 0.15 });
    // Declined cards alongside: failed bookings, which no read model may count.
    let declining = true;
    const declined = (async () => {
      let n = 0;
      while (declining) {
        const want = seats.take(1);
        if (!want) break;
        const res = await reserve(t, `declined-${n++ % 3}`, { ...want, paymentToken: "tok_chargeDeclined" });
        expect(res.errors?.[0]?.extensions?.code).toBe("PAYMENT_DECLINED");
        await sleep(300);
      }
      return n;
    })();
    const rebuilds: string[] = [];
    try {
      await sleep(3_000);
      for (const model of ["MYPAGE", "DASHBOARD", "MYPAGE", "DASHBOARD"]) {
        const started = await t.gql(REBUILD, { m: model }, { token: admin });
        expect(started.errors).toBeUndefined();
        const done = await waitFor(async () => {
          const r = (await t.gql(STATUS, { id: started.data.rebuildReadModel.id }, { token: admin })).data?.readModelRebuild;
          return r?.state !== "RUNNING" ? r : null;
        }, { timeoutMs: 60_000, intervalMs: 250 });
        rebuilds.push(`${model} ${done.state} (${done.eventsReplayed} events${done.error ? `: ${done.error}` : ""})`);
        expect(done.state, done.error ?? "").toBe("DONE");
        await sleep(1_000);
      }
      await sleep(2_000);
    } finally {
      load.stop();
      declining = false;
    }
    const stats = await load.done;
    const failedBookings = await declined;
    await finishCase(t.stack, "rebuild read models under load", stats, {
      allSucceed: true,
      notes: `rebuilds: ${rebuilds.join("; ")}; ${failedBookings} declined bookings alongside`,
      extraChecks: dashboardViolations,
    });
  });
});
