// The waiting room (issue 13): staff switch a screening's room on; customers join a queue (one place
// each), see their place live, and are admitted strictly in join order at the room's rate; while it
// is on, reserve needs a pass bound to the customer and the screening. One broadcast per room per
// tick, however many wait. Real stack, over the gateway (HTTP and graphql-ws), no mocks.
import { randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SignJWT } from "jose";
import { createClient, type Client } from "graphql-ws";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { liveWaitingRoomSubject, type PlaceInLine } from "@cinema/platform/waiting-room";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, reserve } from "./fixtures.ts";

const TICK_MS = 200;
let t: TestStack;
let nc: NatsConnection;
let admin: string;
const clients: Client[] = [];
beforeAll(async () => {
  t = await startTestStack({ envFor: { reservation: { WAITING_ROOM_TICK_MS: String(TICK_MS) } } });
  nc = await connect({ servers: t.stack.natsUrl });
  admin = await t.tokenFor("staff", "admin");
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await nc?.close();
  await t?.cleanup();
});

const STATUS = `screeningId open number position admittedUpTo waiting ratePerSecond estimatedWaitSeconds pass passExpiresAt`;
const JOIN = `mutation ($s: ID!) { joinWaitingRoom(screeningId: $s) { ${STATUS} } }`;
const SET = `mutation ($i: SetWaitingRoomInput!) { setWaitingRoom(input: $i) { screeningId enabled ratePerSecond passTtlSeconds joined admittedUpTo waiting } }`;
const WATCH = `subscription ($s: ID!) { waitingRoom(screeningId: $s) { ${STATUS} } }`;

/** What the API answers: the place in line (the one arithmetic, platform waiting-room.ts) and the pass. */
type Status = PlaceInLine & { pass: string | null; passExpiresAt: string | null };

const tokens = new Map<string, string>();
const tokenOf = async (customer: string) => tokens.get(customer) ?? tokens.set(customer, await t.tokenFor(customer)).get(customer)!;
/** Joins as a client should: a refusal that says when to come back (load shedding) is retried then. */
async function join(customer: string, screeningId: string, sent?: (at: number) => void): Promise<Status> {
  for (let attempt = 0; ; attempt++) {
    sent?.(performance.now());
    const res = await t.gql(JOIN, { s: screeningId }, { token: await tokenOf(customer) });
    const retryAfter = res.errors?.[0]?.extensions?.retryAfterSeconds;
    if (codeOf(res) === "SERVICE_UNAVAILABLE" && typeof retryAfter === "number" && attempt < 20) {
      shed++;
      await sleep(retryAfter * 1000 * Math.random());
      continue;
    }
    expect(res.errors).toBeUndefined();
    return res.data.joinWaitingRoom;
  }
}
let shed = 0;
async function setRoom(input: Record<string, unknown>) {
  const res = await t.gql(SET, { i: input }, { token: admin });
  expect(res.errors).toBeUndefined();
  return res.data.setWaitingRoom;
}
/** The answer's place must be its own arithmetic: a pass exactly when the number has been admitted. */
function consistent(s: Status) {
  expect(s.open).toBe(true);
  expect(s.position).toBe(Math.max(0, s.number! - s.admittedUpTo));
  expect(s.pass !== null).toBe(s.number! <= s.admittedUpTo);
}
async function passFor(customer: string, screeningId: string): Promise<string> {
  return (await waitFor(async () => (await join(customer, screeningId)).pass, { timeoutMs: 10_000 }))!;
}
const codeOf = (res: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions?.code;

function watch(customer: string, screeningId: string) {
  const rec = { statuses: [] as Status[], error: undefined as unknown, completed: false };
  const client = createClient({ url: t.stack.gatewayUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: async () => ({ authorization: `Bearer ${await tokenOf(customer)}` }) });
  clients.push(client);
  client.subscribe<{ waitingRoom: Status }>({ query: WATCH, variables: { s: screeningId } }, {
    next: (r) => (r.errors ? (rec.error = r.errors) : rec.statuses.push(r.data!.waitingRoom)),
    error: (e) => void (rec.error = e),
    complete: () => void (rec.completed = true),
  });
  return rec;
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T, R>(items: T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

describe("the staff switch", () => {
  it("is staff only, for screenings that exist, with sane settings; anyone can read a room", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 5 });
    const asCustomer = await t.gql(SET, { i: { screeningId: s.id, enabled: true } }, { token: await tokenOf("mallory") });
    expect(codeOf(asCustomer)).toBe("FORBIDDEN");
    expect(codeOf(await t.gql(SET, { i: { screeningId: s.id, enabled: true } }))).toBe("UNAUTHENTICATED");
    expect(codeOf(await t.gql(SET, { i: { screeningId: randomUUID(), enabled: true } }, { token: admin }))).toBe("NOT_FOUND");
    const badRate = await t.gql(SET, { i: { screeningId: s.id, enabled: true, ratePerSecond: 0 } }, { token: admin });
    expect(badRate.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.ratePerSecond" });
    const badTtl = await t.gql(SET, { i: { screeningId: s.id, enabled: true, passTtlSeconds: 2 } }, { token: admin });
    expect(badTtl.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.passTtlSeconds" });

    const before = await t.gql(`query ($s: ID!) { waitingRoom(screeningId: $s) { enabled } }`, { s: s.id });
    expect(before.data.waitingRoom).toBeNull();
    // Defaults: WAITING_ROOM_RATE (25/s) and WAITING_ROOM_PASS_SECONDS (300 s).
    expect(await setRoom({ screeningId: s.id, enabled: true })).toEqual({ screeningId: s.id, enabled: true, ratePerSecond: 25, passTtlSeconds: 300, joined: 0, admittedUpTo: 0, waiting: 0 });
    expect((await setRoom({ screeningId: s.id, enabled: false, ratePerSecond: 2.5 })).ratePerSecond).toBe(2.5);
    const after = await t.gql(`query ($s: ID!) { waitingRoom(screeningId: $s) { enabled ratePerSecond passTtlSeconds } }`, { s: s.id });
    expect(after.data.waitingRoom).toEqual({ enabled: false, ratePerSecond: 2.5, passTtlSeconds: 300 });
    const list = await t.gql(`{ waitingRooms { screeningId enabled } }`, {}, { token: admin });
    expect(list.data.waitingRooms).toContainEqual({ screeningId: s.id, enabled: false });
    expect(codeOf(await t.gql(`{ waitingRooms { screeningId } }`, {}, { token: await tokenOf("mallory") }))).toBe("FORBIDDEN");
    // With the room off, joining says so and nobody needs a pass.
    expect(await join("walk-in", s.id)).toMatchObject({ open: false, number: null, position: 0, pass: null });
    expect((await reserve(t, "walk-in", { screeningId: s.id, seats: ["A-1"] })).data?.reserve.status).toBe("CONFIRMED");
  });
});

describe("2,000 customers in the queue", () => {
  it("numbers them in join order, admits strictly in that order at the rate, with one broadcast per tick, and tells each place live", async () => {
    const s = await bookableScreening(t, { rows: 2, seatsPerRow: 10 });
    await setRoom({ screeningId: s.id, enabled: true, ratePerSecond: 0.1 }); // all but closed while they join
    const customers = Array.from({ length: 2000 }, (_, i) => `crowd-${i}-${randomUUID().slice(0, 8)}`).sort(() => Math.random() - 0.5);
    await pool(customers, 50, tokenOf);

    const started = performance.now();
    const joins = await pool(customers, 32, async (customer) => {
      let sent = 0; // of the attempt that was answered
      const status = await join(customer, s.id, (at) => (sent = at));
      return { customer, sent, answered: performance.now(), status };
    });
    const joinSeconds = (performance.now() - started) / 1000;

    // One place each, numbered 1..2000 without gaps.
    const numbers = joins.map((j) => j.status.number!).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    joins.forEach((j) => consistent(j.status));
    // Join order: whoever was answered before another was even sent has the smaller number.
    const byAnswer = [...joins].sort((a, b) => a.answered - b.answered);
    const maxSoFar: number[] = [];
    byAnswer.forEach((j, i) => (maxSoFar[i] = Math.max(maxSoFar[i - 1] ?? 0, j.status.number!)));
    let checked = 0;
    for (const j of joins) {
      let lo = 0, hi = byAnswer.length; // answered strictly before j was sent: byAnswer[0..lo)
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (byAnswer[mid]!.answered < j.sent) lo = mid + 1;
        else hi = mid;
      }
      if (lo > 0) {
        expect(maxSoFar[lo - 1]!).toBeLessThan(j.status.number!);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1900);
    // Rejoining keeps the place.
    for (const j of joins.slice(0, 20)) expect((await join(j.customer, s.id)).number).toBe(j.status.number);

    // Broadcasts: one per tick for the room, not one per customer.
    const subject = liveWaitingRoomSubject(t.stack.eventsPrefix, s.id);
    const sub = nc.subscribe(subject);
    const counted = (async () => {
      let n = 0;
      for await (const _ of sub) n++;
      return n;
    })();
    await sleep(2000);
    sub.unsubscribe();
    const broadcasts = await counted;
    expect(broadcasts).toBeGreaterThanOrEqual(2000 / TICK_MS / 2);
    expect(broadcasts).toBeLessThanOrEqual(2000 / TICK_MS + 2);

    // A sample watches live while the room opens to 500 passes per second.
    const byNumber = [...joins].sort((a, b) => a.status.number! - b.status.number!);
    const sample = [5, 100, 400, 800, 1200, 1600, 1999].map((n) => byNumber[n]!);
    const watchers = sample.map((j) => ({ number: j.status.number!, rec: watch(j.customer, s.id) }));
    await waitFor(() => watchers.every((w) => w.rec.statuses.length > 0), { timeoutMs: 10_000 });
    await setRoom({ screeningId: s.id, enabled: true, ratePerSecond: 500 });
    await waitFor(() => watchers.every((w) => w.rec.completed), { timeoutMs: 20_000 });
    for (const { number, rec } of watchers) {
      expect(rec.error).toBeUndefined();
      const last = rec.statuses.at(-1)!;
      const before = rec.statuses.slice(0, -1);
      // Admitted exactly when the line reached them: never earlier (no pass while the counter was below).
      expect(last).toMatchObject({ number, position: 0 });
      expect(last.pass).toEqual(expect.any(String));
      expect(last.admittedUpTo).toBeGreaterThanOrEqual(number);
      expect(before.every((st) => st.pass === null && st.admittedUpTo < number && st.position === number - st.admittedUpTo)).toBe(true);
      // Positions only ever go down, with an estimate of the wait at the room's rate.
      expect(before.every((st, i) => i === 0 || st.position <= before[i - 1]!.position)).toBe(true);
      if (number > 400) {
        expect(new Set(before.map((st) => st.position)).size).toBeGreaterThanOrEqual(3); // live steps, not just the first and the last
        expect(before.at(-1)!.estimatedWaitSeconds).toBe(Math.ceil(before.at(-1)!.position / 500));
      }
    }
    // Everyone was admitted, in order: the counter reached the last number.
    const room = await t.gql(`query ($s: ID!) { waitingRoom(screeningId: $s) { joined admittedUpTo waiting } }`, { s: s.id });
    expect(room.data.waitingRoom).toEqual({ joined: 2000, admittedUpTo: 2000, waiting: 0 });
    console.log(`waiting room: 2,000 joins in ${joinSeconds.toFixed(1)} s (32 at a time, ${shed} shed and retried); ${broadcasts} broadcasts in 2 s at a ${TICK_MS} ms tick`);
  }, 120_000);
});

describe("no booking without a pass", () => {
  it("refuses no pass, someone else's, another screening's, forged and expired passes; accepts the customer's own", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 10 });
    const other = await bookableScreening(t, { rows: 1, seatsPerRow: 10 });
    await setRoom({ screeningId: s.id, enabled: true, ratePerSecond: 50, passTtlSeconds: 5 });
    await setRoom({ screeningId: other.id, enabled: true, ratePerSecond: 50 });
    const [alice, bob] = [`alice-${randomUUID()}`, `bob-${randomUUID()}`];

    const none = await reserve(t, alice, { screeningId: s.id, seats: ["A-1"] });
    expect(codeOf(none)).toBe("WAITING_ROOM_REQUIRED");
    expect(none.errors![0]!.message).toContain("접속자가 많아 기다리셔야 합니다");

    const pass = await passFor(alice, s.id);
    const otherPass = await passFor(alice, other.id);
    expect(codeOf(await reserve(t, bob, { screeningId: s.id, seats: ["A-2"], pass } as never))).toBe("PASS_INVALID"); // someone else's
    expect(codeOf(await reserve(t, alice, { screeningId: s.id, seats: ["A-2"], pass: otherPass } as never))).toBe("PASS_INVALID"); // another screening's
    const [header, body] = pass.split(".");
    const claims = JSON.parse(Buffer.from(body!, "base64url").toString());
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(randomBytes(32));
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: bob })).toString("base64url")}.${pass.split(".")[2]}`;
    for (const bad of [forged, tampered, await t.tokenFor(alice), "not-a-pass", "x".repeat(3000)]) {
      const res = await reserve(t, bad === tampered ? bob : alice, { screeningId: s.id, seats: ["A-2"], pass: bad } as never);
      expect(codeOf(res)).toBe(bad.length > 2048 ? "BAD_USER_INPUT" : "PASS_INVALID");
    }

    const key = randomUUID();
    const booked = await reserve(t, alice, { screeningId: s.id, seats: ["A-3"], pass, idempotencyKey: key } as never);
    expect(booked.errors).toBeUndefined();
    expect(booked.data.reserve.status).toBe("CONFIRMED");
    expect(codeOf(await reserve(t, alice, { screeningId: other.id, seats: ["A-3"], pass: otherPass } as never))).toBeUndefined();

    // The turn lasts passTtlSeconds from its first pass; then the pass is refused as expired …
    const first = await join(alice, s.id);
    await sleep(Math.max(0, Date.parse(first.passExpiresAt!) - Date.now()) + 1100);
    expect(codeOf(await reserve(t, alice, { screeningId: s.id, seats: ["A-4"], pass } as never))).toBe("PASS_EXPIRED");
    // … except for a repeat of a booking already made, which gets its first outcome.
    const again = await reserve(t, alice, { screeningId: s.id, seats: ["A-3"], pass, idempotencyKey: key } as never);
    expect(again.data?.reserve).toMatchObject({ id: booked.data.reserve.id, status: "CONFIRMED" });
    // Joining again after a lapsed turn: the back of the line, then a fresh pass.
    const back = await join(alice, s.id);
    expect(back.number).toBeGreaterThan(first.number!);
    const fresh = await passFor(alice, s.id);
    expect(codeOf(await reserve(t, alice, { screeningId: s.id, seats: ["A-4"], pass: fresh } as never))).toBeUndefined();

    // Staff turn the room off: bookings need no pass again.
    await setRoom({ screeningId: s.id, enabled: false });
    expect((await reserve(t, bob, { screeningId: s.id, seats: ["A-5"] })).data?.reserve.status).toBe("CONFIRMED");
  }, 60_000);

  it("tells a watcher the room closed, and refuses anonymous watchers and subject wildcards", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 5 });
    await setRoom({ screeningId: s.id, enabled: true, ratePerSecond: 0.1 });
    await join("first-in-line", s.id); // number 1 … the watcher below is number 2, still waiting
    const rec = watch(`carol-${randomUUID()}`, s.id);
    await waitFor(() => rec.statuses.length > 0);
    expect(rec.statuses[0]).toMatchObject({ open: true, number: 2, pass: null });
    await setRoom({ screeningId: s.id, enabled: false });
    await waitFor(() => rec.completed);
    expect(rec.statuses.at(-1)).toMatchObject({ open: false, pass: null });

    const anonymous = createClient({ url: t.stack.gatewayUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0 });
    clients.push(anonymous);
    let error: any;
    anonymous.subscribe({ query: WATCH, variables: { s: s.id } }, { next: (r) => void (error ??= r.errors), error: (e) => void (error = e), complete: () => {} });
    await waitFor(() => error);
    expect(error[0].extensions.code).toBe("UNAUTHENTICATED");
    const wildcard = watch("dave", ">");
    await waitFor(() => wildcard.error);
    expect((wildcard.error as any)[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "screeningId" });
  });
});
