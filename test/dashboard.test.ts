// The staff dashboard: occupancy and revenue by screening, local day, movie and cinema, from
// mypage's own read model fed by events; CSV export; live updates to staff over graphql-ws.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createClient, type Client } from "graphql-ws";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { createCinema, layoutScreening, plainStartsAt, reserve } from "./fixtures.ts";

let t: TestStack;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t?.cleanup();
});

const DASHBOARD = `query ($g: DashboardGrouping!, $c: ID, $from: String, $to: String) {
  dashboard(groupBy: $g, cinemaId: $c, from: $from, to: $to) {
    groupBy
    rows { key label cinemaName movieTitle day startsAt screenings cancelledScreenings seatsSold seatsForSale occupancy bookings cancellations revenueCents currency }
    totals { cancelledScreenings seatsSold seatsForSale occupancy bookings cancellations revenueCents currency }
  }
}`;
const CSV = `query ($g: DashboardGrouping!, $c: ID) { dashboardCsv(groupBy: $g, cinemaId: $c) }`;
const CANCEL = `mutation ($id: ID!) { cancelReservation(id: $id) { id status } }`;
const CANCEL_SEATS = `mutation ($id: ID!, $s: [String!]!) { cancelSeats(id: $id, seats: $s) { id status seats } }`;
const CANCEL_SCREENING = `mutation ($id: ID!, $reason: String!) { cancelScreening(id: $id, reason: $reason) { id status } }`;
const REBUILD = `mutation ($m: ReadModel!) { rebuildReadModel(model: $m) { id state } }`;
const REBUILD_STATUS = `query ($id: ID!) { readModelRebuild(id: $id) { state error } }`;
const HALL = "SSSSS\nSSSSS"; // 10 seats
const HALL_WITH_BLOCKED = "SSSSS\nSSSSX"; // 9 for sale

const staff = () => t.tokenFor("staff", "admin");
const dashboard = async (g: string, vars: Record<string, unknown> = {}) => {
  const res = await t.gql(DASHBOARD, { g, ...vars }, { token: await staff() });
  expect(res.errors).toBeUndefined();
  return res.data.dashboard as { rows: any[]; totals: any[] };
};
/** The cinema's local day of an instant, as its staff would say it. */
const dayIn = (iso: string, timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));

describe("dashboard", () => {
  it("adds up seats sold and money kept by screening, day, movie and cinema: cancellations and refunds taken off, failed bookings not counted", async () => {
    const cinema = await createCinema(t);
    const startsAt = plainStartsAt(6, 0);
    const later = plainStartsAt(6, 180);
    const s1 = await layoutScreening(t, { layout: HALL, cinemaId: cinema.id, startsAt, priceCents: 12000 });
    const s2 = await layoutScreening(t, { layout: HALL_WITH_BLOCKED, cinemaId: cinema.id, startsAt: later, priceCents: 10000 });

    const alice = await reserve(t, "dash-alice", { screeningId: s1.id, seats: ["A-1", "A-2"] });
    const bob = await reserve(t, "dash-bob", { screeningId: s1.id, seats: ["A-3"] });
    const carol = await reserve(t, "dash-carol", { screeningId: s2.id, seats: ["A-1"], paymentToken: "tok_chargeDeclined" });
    const dave = await reserve(t, "dash-dave", { screeningId: s2.id, seats: ["B-1", "B-2"] });
    expect([alice, bob, dave].map((r) => r.data?.reserve?.status)).toEqual(["CONFIRMED", "CONFIRMED", "CONFIRMED"]);
    expect(carol.errors?.[0]?.extensions?.code).toBe("PAYMENT_DECLINED");
    expect((await t.gql(CANCEL, { id: bob.data.reserve.id }, { token: await t.tokenFor("dash-bob") })).data?.cancelReservation?.status).toBe("CANCELLED");

    // Once the refund has arrived: s1 kept alice's ₩24,000 (bob's ₩12,000 went back), s2 dave's ₩20,000.
    const byScreening = await waitFor(async () => {
      const d = await dashboard("SCREENING", { c: cinema.id });
      return d.rows.length === 2 && d.rows[0].revenueCents === 24000 && d.rows[1].bookings === 1 ? d : null;
    }, { timeoutMs: 20_000 });
    const day = dayIn(startsAt, "Asia/Seoul");
    expect(byScreening.rows).toEqual([
      expect.objectContaining({ key: s1.id, cinemaName: cinema.name, day, startsAt, screenings: 1, seatsSold: 2, seatsForSale: 10, occupancy: 0.2, bookings: 2, cancellations: 1, revenueCents: 24000, currency: "KRW" }),
      expect.objectContaining({ key: s2.id, cinemaName: cinema.name, day: dayIn(later, "Asia/Seoul"), seatsSold: 2, seatsForSale: 9, bookings: 1, cancellations: 0, revenueCents: 20000, currency: "KRW" }),
    ]);
    expect(byScreening.rows[1].occupancy).toBeCloseTo(2 / 9, 10);
    expect(byScreening.totals).toEqual([{ cancelledScreenings: 0, seatsSold: 4, seatsForSale: 19, occupancy: 4 / 19, bookings: 3, cancellations: 1, revenueCents: 44000, currency: "KRW" }]);

    const byMovie = await dashboard("MOVIE", { c: cinema.id });
    expect(byMovie.rows.map((r) => [r.key, r.seatsSold, r.revenueCents]).sort()).toEqual([[s1.movieId, 2, 24000], [s2.movieId, 2, 20000]].sort());
    const byCinema = await dashboard("CINEMA", { c: cinema.id });
    expect(byCinema.rows).toEqual([expect.objectContaining({ key: cinema.id, label: cinema.name, screenings: 2, seatsSold: 4, seatsForSale: 19, revenueCents: 44000 })]);
    if (day === dayIn(later, "Asia/Seoul")) {
      const byDay = await dashboard("DAY", { c: cinema.id });
      expect(byDay.rows).toEqual([expect.objectContaining({ key: day, day, screenings: 2, seatsSold: 4, seatsForSale: 19, revenueCents: 44000 })]);
    }
    // The day filter is the cinema's local day, inclusive.
    expect((await dashboard("SCREENING", { c: cinema.id, from: day, to: day })).rows.map((r) => r.key)).toContain(s1.id);
    expect((await dashboard("SCREENING", { c: cinema.id, to: "2000-01-01" })).rows).toEqual([]);
  });

  it("groups by the cinema's own local day: a screening late in the evening in Los Angeles is that day there, not UTC's", async () => {
    const cinema = await createCinema(t, { timeZone: "America/Los_Angeles" });
    // 22:30 in Los Angeles is the next morning in UTC.
    const base = new Date(plainStartsAt(8));
    const day = dayIn(base.toISOString(), "America/Los_Angeles");
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    const startsAt = new Date(Date.UTC(y, m - 1, d, 22 + 8, 30)).toISOString(); // PST = UTC-8 (PDT -7: still the same evening)
    const s = await layoutScreening(t, { layout: HALL, cinemaId: cinema.id, startsAt });
    expect(dayIn(startsAt, "UTC")).not.toBe(dayIn(startsAt, "America/Los_Angeles"));
    const rows = await waitFor(async () => {
      const found = (await dashboard("DAY", { c: cinema.id })).rows;
      return found.length ? found : null;
    });
    expect(rows).toEqual([expect.objectContaining({ key: dayIn(startsAt, "America/Los_Angeles"), screenings: 1, seatsForSale: 10, seatsSold: 0, revenueCents: 0 })]);
    expect((await dashboard("SCREENING", { c: cinema.id })).rows[0].key).toBe(s.id);
  });

  it("exports CSV: a header, one line per row, money in minor units, names quoted and never run as formulas", async () => {
    const cinema = await createCinema(t, { name: `=HYPERLINK("x"), Cinema` });
    const s = await layoutScreening(t, { layout: HALL, cinemaId: cinema.id, priceCents: 15000 });
    expect((await reserve(t, "dash-erin", { screeningId: s.id, seats: ["A-1", "A-2", "A-3"] })).data.reserve.status).toBe("CONFIRMED");
    const csv = await waitFor(async () => {
      const res = await t.gql(CSV, { g: "CINEMA", c: cinema.id }, { token: await staff() });
      const text: string | undefined = res.data?.dashboardCsv;
      return text?.includes(",45000,") ? text : null;
    }, { timeoutMs: 15_000 });
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("cinema_id,label,cinema,movie,day,starts_at_utc,screenings,cancelled_screenings,seats_sold,seats_for_sale,occupancy,bookings,cancellations,revenue_minor_units,currency");
    expect(lines[1]).toBe(`${cinema.id},"'=HYPERLINK(""x""), Cinema","'=HYPERLINK(""x""), Cinema",,,,1,0,3,10,0.3000,1,0,45000,KRW`);
    expect(lines.slice(2)).toEqual([""]);
  });

  it("counts a partial cancellation: its seats leave seats sold (and are on sale again), its refund leaves revenue; a later whole cancellation the rest", async () => {
    const cinema = await createCinema(t);
    const s = await layoutScreening(t, { layout: HALL, cinemaId: cinema.id, priceCents: 12000 });
    const booked = await reserve(t, "dash-lee", { screeningId: s.id, seats: ["A-1", "A-2", "A-3"] });
    expect(booked.data?.reserve?.status).toBe("CONFIRMED");
    const id = booked.data.reserve.id as string;
    const token = await t.tokenFor("dash-lee");
    const row = async () => (await dashboard("SCREENING", { c: cinema.id })).rows.find((r) => r.key === s.id);
    await waitFor(async () => (await row())?.seatsSold === 3);

    expect((await t.gql(CANCEL_SEATS, { id, s: ["A-2"] }, { token })).data?.cancelSeats?.seats).toEqual(["A-1", "A-3"]);
    const partly = await waitFor(async () => {
      const r = await row();
      return r?.seatsSold === 2 && r.revenueCents === 24000 ? r : null;
    }, { timeoutMs: 20_000 });
    expect(partly).toMatchObject({ seatsSold: 2, seatsForSale: 10, occupancy: 0.2, bookings: 1, cancellations: 0, revenueCents: 24000 });
    // On sale again: someone else books the seat.
    expect((await reserve(t, "dash-moon", { screeningId: s.id, seats: ["A-2"] })).data?.reserve?.status).toBe("CONFIRMED");

    expect((await t.gql(CANCEL, { id }, { token })).data?.cancelReservation?.status).toBe("CANCELLED");
    const after = await waitFor(async () => {
      const r = await row();
      return r?.cancellations === 1 && r.revenueCents === 12000 ? r : null;
    }, { timeoutMs: 20_000 });
    expect(after).toMatchObject({ seatsSold: 1, bookings: 2, cancellations: 1, revenueCents: 12000 });
  });

  it("follows seats staff block or open later: for sale goes down and up, each change a new version", async () => {
    const cinema = await createCinema(t);
    const s = await layoutScreening(t, { layout: HALL, cinemaId: cinema.id, startsAt: plainStartsAt(8, 0), priceCents: 12000 });
    const row = async () => (await dashboard("SCREENING", { c: cinema.id })).rows.find((r) => r.key === s.id);
    await waitFor(async () => (await row())?.seatsForSale === 10);
    const block = (labels: string[], blocked: boolean) =>
      staff().then((token) => t.gql(`mutation ($s: ID!, $l: [String!]!, $b: Boolean!) { setSeatsBlocked(screeningId: $s, labels: $l, blocked: $b) { label status } }`, { s: s.id, l: labels, b: blocked }, { token }));
    expect((await block(["B-4", "B-5"], true)).errors).toBeUndefined();
    await waitFor(async () => (await row())?.seatsForSale === 8, { timeoutMs: 15_000 });
    expect((await block(["B-5"], false)).errors).toBeUndefined();
    await waitFor(async () => (await row())?.seatsForSale === 9, { timeoutMs: 15_000 });
    expect(await row()).toMatchObject({ seatsForSale: 9, seatsSold: 0 });
    // Each change is published with the count and a version per screening (order-proof: see dashboard-projection.test.ts).
    const published = await t.sql("seat", `SELECT payload FROM outbox_event WHERE type = 'seat.seats-blocked' AND payload->>'aggregateId' = $1 ORDER BY seq`, [s.id]);
    expect(published.map((r: any) => [r.payload.aggregateVersion, r.payload.data.forSale])).toEqual([[1, 8], [2, 9]]);
  });

  it("shows a screening staff called off as cancelled: no seats for sale or sold, revenue what the refunds left; a rebuild ends with the same figures", async () => {
    const cinema = await createCinema(t);
    const s1 = await layoutScreening(t, { layout: HALL, cinemaId: cinema.id, startsAt: plainStartsAt(9, 0), priceCents: 12000 });
    const s2 = await layoutScreening(t, { layout: HALL_WITH_BLOCKED, cinemaId: cinema.id, startsAt: plainStartsAt(9, 180), priceCents: 10000 });
    const booked = [
      await reserve(t, "dash-ivy", { screeningId: s1.id, seats: ["A-1", "A-2"] }),
      await reserve(t, "dash-jun", { screeningId: s1.id, seats: ["B-5"] }),
      await reserve(t, "dash-kim", { screeningId: s2.id, seats: ["A-1", "A-2"] }),
    ];
    expect(booked.map((r) => r.data?.reserve?.status)).toEqual(["CONFIRMED", "CONFIRMED", "CONFIRMED"]);
    const cancelled = await t.gql(CANCEL_SCREENING, { id: s1.id, reason: "Projector failure" }, { token: await staff() });
    expect(cancelled.data?.cancelScreening?.status).toBe("CANCELLED");

    // Both bookings of s1 cancelled and refunded in full: nothing kept; s2 untouched.
    const after = await waitFor(async () => {
      const d = await dashboard("SCREENING", { c: cinema.id });
      const row = d.rows.find((r) => r.key === s1.id);
      return row?.cancelledScreenings === 1 && row.cancellations === 2 && row.revenueCents === 0 ? d : null;
    }, { timeoutMs: 30_000 });
    expect(after.rows).toEqual([
      expect.objectContaining({ key: s1.id, screenings: 1, cancelledScreenings: 1, seatsSold: 0, seatsForSale: 0, occupancy: 0, bookings: 2, cancellations: 2, revenueCents: 0 }),
      expect.objectContaining({ key: s2.id, screenings: 1, cancelledScreenings: 0, seatsSold: 2, seatsForSale: 9, bookings: 1, cancellations: 0, revenueCents: 20000 }),
    ]);
    expect(after.totals).toEqual([{ cancelledScreenings: 1, seatsSold: 2, seatsForSale: 9, occupancy: 2 / 9, bookings: 3, cancellations: 2, revenueCents: 20000, currency: "KRW" }]);
    const csv = (await t.gql(CSV, { g: "SCREENING", c: cinema.id }, { token: await staff() })).data.dashboardCsv as string;
    expect(csv.split("\r\n").find((l) => l.startsWith(s1.id))).toMatch(/,1,1,0,0,0\.0000,2,2,0,KRW$/);

    // The rebuild replays the same events through the same projection (this file's bookings, partial
    // cancellations and all, settled by now): the same figures.
    const everything = await dashboard("SCREENING");
    const started = await t.gql(REBUILD, { m: "DASHBOARD" }, { token: await staff() });
    expect(started.errors).toBeUndefined();
    const done = await waitFor(async () => {
      const r = (await t.gql(REBUILD_STATUS, { id: started.data.rebuildReadModel.id }, { token: await staff() })).data?.readModelRebuild;
      return r?.state !== "RUNNING" ? r : null;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(done).toMatchObject({ state: "DONE", error: null });
    expect(await dashboard("SCREENING", { c: cinema.id })).toEqual(after);
    expect(await dashboard("SCREENING")).toEqual(everything);
  });

  it("is for staff only: customers are refused FORBIDDEN, anonymous callers UNAUTHENTICATED, bad days BAD_USER_INPUT", async () => {
    const customer = await t.tokenFor("dash-frank");
    for (const [query, vars] of [[DASHBOARD, { g: "DAY" }], [CSV, { g: "DAY" }]] as const) {
      const refused = await t.gql(query, vars, { token: customer });
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(refused.errors?.[0]?.message).toMatch(/staff/);
      expect((await t.gql(query, vars)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    const bad = await t.gql(DASHBOARD, { g: "DAY", from: "2026-02-30" }, { token: await staff() });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "from" });
    const backwards = await t.gql(DASHBOARD, { g: "DAY", from: "2026-03-02", to: "2026-03-01" }, { token: await staff() });
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "to" });
  });
});

describe("dashboardChanged", () => {
  function wsClient(token: string): Client {
    const client = createClient({ url: t.stack.gatewayUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    clients.push(client);
    return client;
  }
  const SUB = `subscription { dashboardChanged { screeningIds at } }`;

  it("tells staff which screenings' figures moved as bookings happen; customers are refused", async () => {
    const cinema = await createCinema(t);
    const s = await layoutScreening(t, { layout: HALL, cinemaId: cinema.id });
    const seen: { screeningIds: string[] }[] = [];
    let refused: any;
    wsClient(await staff()).subscribe({ query: SUB }, { next: (r) => void (r.data && seen.push((r.data as any).dashboardChanged)), error: () => {}, complete: () => {} });
    wsClient(await t.tokenFor("dash-gina")).subscribe({ query: SUB }, { next: (r) => void (refused ??= r.errors?.[0]), error: (e) => void (refused ??= Array.isArray(e) ? e[0] : e), complete: () => {} });
    // The gateway subscribes to NATS a moment after the client: book until a change for this screening arrives.
    const seats = ["A-1", "A-2", "A-3", "A-4", "A-5"];
    await waitFor(async () => {
      const seat = seats.shift();
      if (seat) expect((await reserve(t, "dash-hana", { screeningId: s.id, seats: [seat] })).data.reserve.status).toBe("CONFIRMED");
      return seen.some((c) => c.screeningIds.includes(s.id));
    }, { timeoutMs: 15_000, intervalMs: 500 });
    await waitFor(() => refused);
    expect(refused.extensions?.code ?? refused.code).toBe("FORBIDDEN");
  });
});
