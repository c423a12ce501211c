// Rebuilding a read model (my page, the staff dashboard) from the event stream into fresh tables,
// swapped in without downtime: after a mixed workload the rebuilt model equals the live one, a
// damaged model comes back right, bookings made afterwards still reach it, and only staff may start one.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TYPESCRIPT_FLAGS } from "../scripts/lib/typescript.ts";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, reserve } from "./fixtures.ts";
import { settle } from "./faults/invariants.ts";

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t?.cleanup();
});

const CANCEL = `mutation ($id: ID!) { cancelReservation(id: $id) { id status } }`;
const REBUILD = `mutation ($m: ReadModel!) { rebuildReadModel(model: $m) { id model state eventsReplayed } }`;
const STATUS = `query ($id: ID!) { readModelRebuild(id: $id) { id model state eventsReplayed error startedAt finishedAt } }`;
const MINE = `query { myReservations(first: 50) { nodes { id status paymentStatus ticketStatus ticketCode seatsReleased movieTitle seats amountCents refundedAmountCents history { kind description at } } } }`;
const DASHBOARD = `query { dashboard(groupBy: SCREENING) { rows { key seatsSold seatsForSale bookings cancellations revenueCents } } }`;

/**
 * Every row of a model's tables, in key order. my_reservation's updated_at is left out: it is the
 * time of the last event applied, and live consumers of different subjects may apply a booking's
 * refund and its seats' release in either order (the rebuild applies them in stream order).
 */
const TABLES = {
  MYPAGE: [
    `SELECT * FROM screening_info ORDER BY screening_id`,
    `SELECT reservation_id, customer_id, screening_id, movie_title, auditorium_name, cinema_name, screening_starts_at, seats, lines, amount_cents, currency,
            reservation_status, payment_status, ticket_status, ticket_code, seats_released, refunded_amount_cents, version, booked_at FROM my_reservation ORDER BY reservation_id`,
    `SELECT * FROM status_change ORDER BY event_id`,
    `SELECT event_id, reservation_id, payload FROM early_event ORDER BY event_id`,
    `SELECT event_id FROM processed_event WHERE consumer = 'mypage.projection' ORDER BY event_id`,
  ],
  DASHBOARD: [
    `SELECT * FROM dashboard_screening ORDER BY screening_id`,
    `SELECT * FROM dashboard_booking ORDER BY reservation_id`,
    `SELECT event_id FROM processed_event WHERE consumer = 'dashboard.projection' ORDER BY event_id`,
  ],
} as const;
const snapshot = async (model: keyof typeof TABLES) => Promise.all(TABLES[model].map((q) => t.sql("mypage", q)));

const staff = () => t.tokenFor("staff", "admin");
async function rebuilt(model: "MYPAGE" | "DASHBOARD") {
  const started = await t.gql(REBUILD, { m: model }, { token: await staff() });
  expect(started.errors).toBeUndefined();
  expect(started.data.rebuildReadModel).toMatchObject({ model, state: "RUNNING" });
  return waitFor(async () => {
    const r = (await t.gql(STATUS, { id: started.data.rebuildReadModel.id }, { token: await staff() })).data?.readModelRebuild;
    return r?.state !== "RUNNING" ? r : null;
  }, { timeoutMs: 60_000, intervalMs: 250 });
}

/** Bookings, cancellations (refunded, seats released) and refused bookings (declined cards, seats taken). */
async function mixedWorkload() {
  const screenings = [await bookableScreening(t, { seatsPerRow: 20 }), await bookableScreening(t, { seatsPerRow: 20, priceCents: 9000 })];
  const booked: { id: string; customer: string }[] = [];
  for (let i = 0; i < 12; i++) {
    const s = screenings[i % 2]!;
    const customer = `rb-${i % 4}`;
    const res = await reserve(t, customer, { screeningId: s.id, seats: [`B-${i + 1}`, `C-${i + 1}`] });
    expect(res.data?.reserve?.status).toBe("CONFIRMED");
    booked.push({ id: res.data.reserve.id, customer });
  }
  for (const b of booked.filter((_, i) => i % 3 === 0)) {
    expect((await t.gql(CANCEL, { id: b.id }, { token: await t.tokenFor(b.customer) })).data?.cancelReservation?.status).toBe("CANCELLED");
  }
  expect((await reserve(t, "rb-9", { screeningId: screenings[0]!.id, seats: ["D-1"], paymentToken: "tok_chargeDeclined" })).errors?.[0]?.extensions?.code).toBe("PAYMENT_DECLINED");
  expect((await reserve(t, "rb-9", { screeningId: screenings[1]!.id, seats: ["B-2"] })).errors?.[0]?.extensions?.code).toBe("SEAT_UNAVAILABLE");
  // Quiet, and my page agrees with the owners' truth before anything is rebuilt.
  expect(await settle(t.stack, { settleMs: 20_000 })).toEqual([]);
  return { screenings, booked };
}

describe("rebuildReadModel", () => {
  it("rebuilds my page with `npm run rebuild:mypage` and the dashboard with the mutation: equal to the live models after a mixed workload, even when the live ones were damaged", async () => {
    const { screenings } = await mixedWorkload();
    const before = { MYPAGE: await snapshot("MYPAGE"), DASHBOARD: await snapshot("DASHBOARD") };
    const token = await t.tokenFor("rb-1");
    const mineBefore = (await t.gql(MINE, {}, { token })).data.myReservations.nodes;
    const dashboardBefore = (await t.gql(DASHBOARD, {}, { token: await staff() })).data.dashboard.rows;
    expect(mineBefore.length).toBeGreaterThan(0);
    expect(before.DASHBOARD[1]!.length).toBe(12);

    // A projection bug, simulated: the live rows are wrong until the models are rebuilt.
    await t.sql("mypage", `UPDATE my_reservation SET seats = '{}', reservation_status = 'WRONG'`);
    await t.sql("mypage", `DELETE FROM status_change WHERE kind = 'REFUNDED'`);
    await t.sql("mypage", `UPDATE dashboard_booking SET refunded_cents = 0, seat_count = 99`);
    expect(await snapshot("MYPAGE")).not.toEqual(before.MYPAGE);

    // The command an operator runs, against this stack's gateway.
    const root = path.resolve(import.meta.dirname, "..");
    const run = await promisify(execFile)(process.execPath, [...TYPESCRIPT_FLAGS, path.join(root, "scripts/rebuild.ts"), "mypage"], {
      cwd: root,
      env: { ...process.env, GATEWAY_URL: t.stack.gatewayUrl },
      timeout: 60_000,
    });
    expect(run.stdout).toMatch(/mypage rebuilt from \d+ events and swapped in/);
    expect(await snapshot("MYPAGE")).toEqual(before.MYPAGE);
    expect((await t.gql(MINE, {}, { token })).data.myReservations.nodes).toEqual(mineBefore);

    const done = await rebuilt("DASHBOARD");
    expect(done).toMatchObject({ state: "DONE", error: null });
    expect(done.eventsReplayed).toBeGreaterThanOrEqual(2 + 12 + 4 + 4); // scheduled, confirmed, cancelled, refunded
    expect(await snapshot("DASHBOARD")).toEqual(before.DASHBOARD);
    expect((await t.gql(DASHBOARD, {}, { token: await staff() })).data.dashboard.rows).toEqual(dashboardBefore);

    // Nothing of the rebuild is left behind, and the invariants still hold.
    expect(await t.sql("mypage", `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%' OR nspname LIKE 'retired\\_%'`)).toEqual([]);
    expect(await settle(t.stack)).toEqual([]);

    // The live consumers go on into the rebuilt tables: a booking made now reaches both models.
    const after = await reserve(t, "rb-1", { screeningId: screenings[0]!.id, seats: ["E-1"] });
    expect(after.data?.reserve?.status).toBe("CONFIRMED");
    await waitFor(async () => (await t.gql(MINE, {}, { token })).data.myReservations.nodes.some((n: { id: string }) => n.id === after.data.reserve.id));
    await waitFor(async () => (await t.sql("mypage", `SELECT 1 FROM dashboard_booking WHERE reservation_id = $1`, [after.data.reserve.id])).length === 1);
  });

  it("is for staff only, and one at a time per model (CONFLICT while one runs)", async () => {
    const customer = await t.tokenFor("rb-mallory");
    expect((await t.gql(REBUILD, { m: "MYPAGE" }, { token: customer })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(REBUILD, { m: "MYPAGE" })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await t.gql(STATUS, { id: "00000000-0000-0000-0000-000000000000" }, { token: customer })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(REBUILD, { m: "NOT_A_MODEL" }, { token: await staff() })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");

    // Another replica's rebuild of my page holds the model's rebuild lock (READ_MODEL_LOCK, 100 + 1).
    const other = new pg.Client({ connectionString: t.stack.databaseUrls.mypage });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock($1::int, 101)`, [0x6d797067]);
      const refused = await t.gql(REBUILD, { m: "MYPAGE" }, { token: await staff() });
      expect(refused.errors?.[0]?.extensions?.code).toBe("CONFLICT");
      expect(refused.errors?.[0]?.message).toMatch(/already running/);
      // The dashboard's is another lock.
      expect(await rebuilt("DASHBOARD")).toMatchObject({ state: "DONE", error: null });
    } finally {
      await other.end();
    }
    expect(await rebuilt("MYPAGE")).toMatchObject({ state: "DONE", error: null });
  });

  it("pauses the live consumers while a swap holds the model's lock, and loses nothing: they go on after it", async () => {
    const s = await bookableScreening(t);
    const swap = new pg.Client({ connectionString: t.stack.databaseUrls.mypage });
    await swap.connect();
    let id: string;
    try {
      // What the swap does: the model's advisory lock, exclusively, in a transaction.
      await swap.query("BEGIN");
      await swap.query(`SELECT pg_advisory_xact_lock($1::int, 2)`, [0x6d797067]); // the dashboard's
      const booked = await reserve(t, "rb-paused", { screeningId: s.id, seats: ["A-1"] });
      id = booked.data.reserve.id;
      // my page (another lock) follows at once; the dashboard waits.
      await waitFor(async () => (await t.sql("mypage", `SELECT 1 FROM my_reservation WHERE reservation_id = $1`, [id])).length === 1);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await t.sql("mypage", `SELECT 1 FROM dashboard_booking WHERE reservation_id = $1`, [id])).toEqual([]);
    } finally {
      await swap.query("COMMIT").catch(() => {});
      await swap.end();
    }
    await waitFor(async () => (await t.sql("mypage", `SELECT seat_count FROM dashboard_booking WHERE reservation_id = $1`, [id])).length === 1);
  });
});
