// Seat classes, places in the drawing, blocked seats and the pair rules (issue 15), through the
// gateway: staff draw a hall, customers see its seat map and book by its rules.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createClient, type Client, type FormattedExecutionResult } from "graphql-ws";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { internalIdentityHeaders } from "@cinema/platform/auth";
import { createEvent, liveSeatsSubject } from "@cinema/platform/events";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { availableSeats, inDays, reserve, seatStatuses } from "./fixtures.ts";

let t: TestStack;
let nc: NatsConnection;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestStack();
  nc = await connect({ servers: t.stack.natsUrl });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await nc?.close();
  await t?.cleanup();
});

/**
 * Row A: standard seats with a premium pair in the middle. Row B: a blocked seat (X) and a gap.
 * Line 3: a cross aisle (not lettered). Row C: a wheelchair space with its companion, two couples.
 */
const LAYOUT = ["SSPPSS", "SX.SSS", "......", "WwCCCC"].join("\n");
const SEATS = 17;
const BLOCKED = 1;

let unique = 0;
/** Staff draw a hall with `layout` and schedule a screening in it; resolves once its seat map exists. */
async function drawnScreening(layout = LAYOUT, seats = SEATS, blocked = BLOCKED) {
  const admin = await t.tokenFor("staff", "admin");
  const movie = await t.gql(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, {
    i: { title: `Drawn hall movie ${++unique}`, summary: "For tests", runtimeMinutes: 100, rating: "ALL" },
  }, { token: admin });
  expect(movie.errors).toBeUndefined();
  const hall = await t.gql(`mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id capacity } }`, {
    i: { name: `Drawn hall ${randomUUID()}`, layout },
  }, { token: admin });
  expect(hall.errors).toBeUndefined();
  const screening = await t.gql(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
    i: { movieId: movie.data.registerMovie.id, auditoriumId: hall.data.createAuditorium.id, startsAt: inDays(2 + unique), priceCents: 10000 },
  }, { token: admin });
  expect(screening.errors).toBeUndefined();
  const id: string = screening.data.scheduleScreening.id;
  await waitFor(async () => (await seatMap(id))?.length === seats, { timeoutMs: 10_000 });
  expect(await availableSeats(t, id)).toBe(seats - blocked);
  return id;
}

interface SeatView {
  label: string;
  row: string;
  number: number;
  status: string;
  seatClass: string;
  gridRow: number;
  gridColumn: number;
  pairLabel: string | null;
}
const SEAT_FIELDS = "label row number status seatClass gridRow gridColumn pairLabel";

async function seatMap(screeningId: string): Promise<SeatView[] | undefined> {
  const res = await t.gql(`query ($id: ID!) { screening(id: $id) { seats { ${SEAT_FIELDS} } } }`, { id: screeningId });
  return res.data?.screening?.seats;
}

const SET_BLOCKED = `mutation ($s: ID!, $l: [String!]!, $b: Boolean!) { setSeatsBlocked(screeningId: $s, labels: $l, blocked: $b) { ${SEAT_FIELDS} } }`;
const setBlocked = async (screeningId: string, labels: string[], blocked: boolean, role: "admin" | "customer" = "admin") =>
  t.gql(SET_BLOCKED, { s: screeningId, l: labels, b: blocked }, { token: await t.tokenFor(role === "admin" ? "staff" : "alice", role) });

/** The seat subgraph's internal hold, as the reserve saga calls it (a service identity). */
async function holdDirectly(screeningId: string, labels: string[], reservationId = randomUUID()) {
  const res = await fetch(t.stack.urls.seat, {
    method: "POST",
    headers: { "content-type": "application/json", ...(await internalIdentityHeaders({ id: "reservation", role: "service" })) },
    body: JSON.stringify({
      query: `mutation ($r: ID!, $s: ID!, $l: [String!]!) { holdSeats(reservationId: $r, screeningId: $s, labels: $l) { label seatClass } }`,
      variables: { r: reservationId, s: screeningId, l: labels },
    }),
  });
  return (await res.json()) as { data?: { holdSeats: { label: string; seatClass: string }[] } | null; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

describe("the seat map of a drawn hall", () => {
  it("shows each seat's class, its place in the drawing and the blocked seat; the free count leaves it out", async () => {
    const id = await drawnScreening();
    const seats = await seatMap(id);
    const byLabel = Object.fromEntries(seats!.map((s) => [s.label, s]));
    expect(seats!.map((s) => s.label)).toEqual([
      "A-1", "A-2", "A-3", "A-4", "A-5", "A-6",
      "B-1", "B-2", "B-3", "B-4", "B-5",
      "C-1", "C-2", "C-3", "C-4", "C-5", "C-6",
    ]);
    expect(byLabel["A-1"]).toEqual({ label: "A-1", row: "A", number: 1, status: "AVAILABLE", seatClass: "STANDARD", gridRow: 1, gridColumn: 1, pairLabel: null });
    expect(byLabel["A-3"]).toMatchObject({ seatClass: "PREMIUM", gridRow: 1, gridColumn: 3 });
    expect(byLabel["B-2"]).toMatchObject({ status: "BLOCKED", seatClass: "STANDARD", gridRow: 2, gridColumn: 2 });
    // The gap in row B and the cross aisle are drawn where they are: numbers count seats only.
    expect(byLabel["B-3"]).toMatchObject({ number: 3, gridRow: 2, gridColumn: 4 });
    expect(byLabel["C-1"]).toMatchObject({ seatClass: "WHEELCHAIR", gridRow: 4, gridColumn: 1 });
    expect(byLabel["C-2"]).toMatchObject({ seatClass: "COMPANION", pairLabel: "C-1", gridRow: 4, gridColumn: 2 });
    expect(byLabel["C-3"]).toMatchObject({ seatClass: "COUPLE", pairLabel: "C-4" });
    expect(byLabel["C-4"]).toMatchObject({ seatClass: "COUPLE", pairLabel: "C-3" });
    expect(byLabel["C-6"]).toMatchObject({ seatClass: "COUPLE", pairLabel: "C-5", gridColumn: 6 });
    expect(await availableSeats(t, id)).toBe(SEATS - BLOCKED);
  });

  it("builds an older event's screening (no seats in it) as the rows × seatsPerRow rectangle", async () => {
    const screeningId = randomUUID();
    const event = createEvent("movie.screening-scheduled", screeningId, {
      screeningId, movieId: randomUUID(), movieTitle: "Old event", auditoriumId: randomUUID(), auditoriumName: "Hall 9",
      startsAt: inDays(5), priceCents: 9000, currency: "KRW", rows: 2, seatsPerRow: 3,
      cinemaId: randomUUID(), cinemaName: "CineMA Seoul", timeZone: "Asia/Seoul", seats: [],
    });
    const { seats: _none, ...older } = event.data;
    await jetstream(nc).publish(`${t.stack.eventsPrefix}.${event.type}`, JSON.stringify({ ...event, data: older }), { msgID: event.id });
    const rows = await waitFor(async () => {
      const found = await t.sql("seat", `SELECT label, grid_row, grid_column, seat_class::text, pair_label, status::text FROM seat WHERE screening_id = $1 ORDER BY position`, [screeningId]);
      return found.length === 6 ? found : undefined;
    }, { timeoutMs: 10_000 });
    expect(rows.map((r) => [r.label, r.grid_row, r.grid_column])).toEqual([
      ["A-1", 1, 1], ["A-2", 1, 2], ["A-3", 1, 3], ["B-1", 2, 1], ["B-2", 2, 2], ["B-3", 2, 3],
    ]);
    expect(rows.every((r) => r.seat_class === "STANDARD" && r.pair_label === null && r.status === "AVAILABLE")).toBe(true);
  });
});

describe("holds answer each seat's class and keep the pair rules", () => {
  it("holds a couple pair and the companion with its wheelchair space, answering their classes", async () => {
    const id = await drawnScreening();
    const held = await holdDirectly(id, ["C-3", "C-4", "A-3"]);
    expect(held.errors).toBeUndefined();
    expect(held.data!.holdSeats.sort((a, b) => a.label.localeCompare(b.label))).toEqual([
      { label: "A-3", seatClass: "PREMIUM" }, { label: "C-3", seatClass: "COUPLE" }, { label: "C-4", seatClass: "COUPLE" },
    ]);
    const pair = await holdDirectly(id, ["C-1", "C-2"]);
    expect(pair.data!.holdSeats.map((s) => s.seatClass).sort()).toEqual(["COMPANION", "WHEELCHAIR"]);
    expect(await availableSeats(t, id)).toBe(SEATS - BLOCKED - 5);
  });

  it("refuses a lone couple seat before holding anything, even beside seats that are free", async () => {
    const id = await drawnScreening();
    const refused = await holdDirectly(id, ["A-1", "C-5"]);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "COUPLE_PAIR", seat: "C-5", pairLabel: "C-6" });
    expect(refused.errors?.[0]?.message).toBe("Couple seats are sold together: C-5 goes with C-6.");
    const statuses = await seatStatuses(t, id);
    expect([statuses["A-1"], statuses["C-5"], statuses["C-6"]]).toEqual(["AVAILABLE", "AVAILABLE", "AVAILABLE"]);
  });
});

describe("booking by the hall's rules (reserve)", () => {
  it("refuses a lone couple seat with a typed error, and books both seats of the couple", async () => {
    const id = await drawnScreening();
    const lone = await reserve(t, `dana-${randomUUID()}`, { screeningId: id, seats: ["C-3"] });
    expect(lone.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "COUPLE_PAIR", seat: "C-3", pairLabel: "C-4" });
    expect(lone.errors?.[0]?.message).toContain("C-3 goes with C-4");
    expect((await seatStatuses(t, id))["C-3"]).toBe("AVAILABLE");

    const both = await reserve(t, `dana-${randomUUID()}`, { screeningId: id, seats: ["C-3", "C-4"] });
    expect(both.errors).toBeUndefined();
    expect(both.data.reserve).toMatchObject({ status: "CONFIRMED", seats: ["C-3", "C-4"] });
    const statuses = await seatStatuses(t, id);
    expect([statuses["C-3"], statuses["C-4"]]).toEqual(["SOLD", "SOLD"]);
  });

  it("refuses a blocked seat as unavailable, naming it", async () => {
    const id = await drawnScreening();
    const res = await reserve(t, `erin-${randomUUID()}`, { screeningId: id, seats: ["B-1", "B-2"] });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "SEAT_UNAVAILABLE", seats: ["B-2"] });
    expect(res.errors?.[0]?.message).toContain("B-2");
    expect((await seatStatuses(t, id))["B-1"]).toBe("AVAILABLE");
  });

  it("refuses a companion seat alone; the wheelchair space alone is bookable, and with its companion", async () => {
    const id = await drawnScreening();
    const companion = await reserve(t, `finn-${randomUUID()}`, { screeningId: id, seats: ["C-2"] });
    expect(companion.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "COMPANION_WITH_WHEELCHAIR", seat: "C-2", pairLabel: "C-1" });

    const alone = await reserve(t, `finn-${randomUUID()}`, { screeningId: id, seats: ["C-1"] });
    expect(alone.errors).toBeUndefined();
    expect(alone.data.reserve.status).toBe("CONFIRMED");

    const other = await drawnScreening();
    const together = await reserve(t, `gail-${randomUUID()}`, { screeningId: other, seats: ["C-1", "C-2"] });
    expect(together.errors).toBeUndefined();
    expect(together.data.reserve).toMatchObject({ status: "CONFIRMED", seats: ["C-1", "C-2"] });
  });
});

describe("setSeatsBlocked (staff)", () => {
  it("is for staff only", async () => {
    const id = await drawnScreening();
    expect((await setBlocked(id, ["A-1"], true, "customer")).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(SET_BLOCKED, { s: id, l: ["A-1"], b: true })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await seatStatuses(t, id))["A-1"]).toBe("AVAILABLE");
  });

  it("blocks free seats from sale and opens them again; all or nothing; sold seats cannot be blocked", async () => {
    const id = await drawnScreening();
    const blocked = await setBlocked(id, ["A-1", "A-2"], true);
    expect(blocked.errors).toBeUndefined();
    expect(blocked.data.setSeatsBlocked.map((s: SeatView) => [s.label, s.status])).toEqual([["A-1", "BLOCKED"], ["A-2", "BLOCKED"]]);
    expect(await availableSeats(t, id)).toBe(SEATS - BLOCKED - 2);
    // Blocking again changes nothing.
    expect((await setBlocked(id, ["A-1"], true)).data.setSeatsBlocked[0].status).toBe("BLOCKED");

    const refused = await reserve(t, `hana-${randomUUID()}`, { screeningId: id, seats: ["A-1"] });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "SEAT_UNAVAILABLE", seats: ["A-1"] });

    // A sold seat: CONFLICT naming it, and the free seat asked with it stays open.
    const sold = await reserve(t, `hana-${randomUUID()}`, { screeningId: id, seats: ["A-5"] });
    expect(sold.errors).toBeUndefined();
    const conflict = await setBlocked(id, ["A-5", "A-6"], true);
    expect(conflict.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", seats: ["A-5"] });
    expect(conflict.errors?.[0]?.message).toContain("A-5");
    // A seat under an unexpired hold, likewise.
    expect((await holdDirectly(id, ["B-4"])).errors).toBeUndefined();
    expect((await setBlocked(id, ["B-4"], true)).errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", seats: ["B-4"] });
    // Unknown seats: BAD_USER_INPUT, nothing changed.
    const unknown = await setBlocked(id, ["A-6", "Z-9"], true);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(unknown.errors?.[0]?.message).toContain("Z-9");
    const statuses = await seatStatuses(t, id);
    expect([statuses["A-5"], statuses["A-6"], statuses["B-4"]]).toEqual(["SOLD", "AVAILABLE", "HELD"]);

    // Unblocking makes them AVAILABLE (the layout's own blocked seat too), and they sell again.
    const opened = await setBlocked(id, ["A-1", "A-2", "B-2"], false);
    expect(opened.errors).toBeUndefined();
    expect(opened.data.setSeatsBlocked.map((s: SeatView) => s.status)).toEqual(["AVAILABLE", "AVAILABLE", "AVAILABLE"]);
    expect(await availableSeats(t, id)).toBe(SEATS - 2); // A-5 sold, B-4 held
    const booked = await reserve(t, `hana-${randomUUID()}`, { screeningId: id, seats: ["A-1", "B-2"] });
    expect(booked.errors).toBeUndefined();
    // Unblocking a sold seat leaves it sold.
    expect((await setBlocked(id, ["A-1"], false)).data.setSeatsBlocked[0].status).toBe("SOLD");
  });

  it("blocks and opens a couple seat with its partner (one alone could never be sold)", async () => {
    const id = await drawnScreening();
    const blocked = await setBlocked(id, ["C-3"], true);
    expect(blocked.errors).toBeUndefined();
    expect(blocked.data.setSeatsBlocked.map((s: SeatView) => [s.label, s.status])).toEqual([["C-3", "BLOCKED"], ["C-4", "BLOCKED"]]);
    expect(await availableSeats(t, id)).toBe(SEATS - BLOCKED - 2);
    const opened = await setBlocked(id, ["C-4"], false);
    expect(opened.data.setSeatsBlocked.map((s: SeatView) => [s.label, s.status])).toEqual([["C-3", "AVAILABLE"], ["C-4", "AVAILABLE"]]);
  });

  it("refuses an unknown screening with NOT_FOUND", async () => {
    expect((await setBlocked(randomUUID(), ["A-1"], true)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("announces blocked and opened seats on the live seat map, with their class and place", async () => {
    const id = await drawnScreening();
    const client = createClient({ url: t.stack.gatewayUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0 });
    clients.push(client);
    const results: FormattedExecutionResult<any, unknown>[] = [];
    client.subscribe(
      { query: `subscription ($id: ID!) { seatMapChanged(screeningId: $id) { availableSeatCount seats { ${SEAT_FIELDS} } } }`, variables: { id } },
      { next: (r) => void results.push(r), error: () => {}, complete: () => {} },
    );
    const changes = () => results.map((r) => r.data?.seatMapChanged).filter((c) => c && c.availableSeatCount >= 0);
    // Listening once a probe (count -1) comes through.
    await waitFor(() => {
      nc.publish(liveSeatsSubject(t.stack.eventsPrefix, id), JSON.stringify({ screeningId: id, seats: [], availableSeatCount: -1 }));
      return results.some((r) => r.data?.seatMapChanged?.availableSeatCount === -1);
    }, { intervalMs: 200, timeoutMs: 10_000 });

    expect((await setBlocked(id, ["C-5", "C-6"], true)).errors).toBeUndefined();
    const blocked = await waitFor(() => changes().find((c) => c.seats.some((s: SeatView) => s.label === "C-5")), { timeoutMs: 5_000 });
    expect(blocked.availableSeatCount).toBe(SEATS - BLOCKED - 2);
    expect(blocked.seats).toEqual([
      { label: "C-5", row: "C", number: 5, status: "BLOCKED", seatClass: "COUPLE", gridRow: 4, gridColumn: 5, pairLabel: "C-6" },
      { label: "C-6", row: "C", number: 6, status: "BLOCKED", seatClass: "COUPLE", gridRow: 4, gridColumn: 6, pairLabel: "C-5" },
    ]);

    expect((await setBlocked(id, ["B-2"], false)).errors).toBeUndefined();
    const opened = await waitFor(() => changes().find((c) => c.seats.some((s: SeatView) => s.label === "B-2")), { timeoutMs: 5_000 });
    expect(opened).toMatchObject({ availableSeatCount: SEATS - 2, seats: [{ label: "B-2", status: "AVAILABLE", seatClass: "STANDARD", gridColumn: 2 }] });
  });
});
