// Subscriptions at the gateway: graphql-ws on /graphql, fed by NATS live subjects, filtered by who
// is asking; HTTP refuses them with a pointer to the WebSocket; no NATS subscription outlives its client.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createClient, type Client, type FormattedExecutionResult } from "graphql-ws";
import { connect, errors as natsErrors, type NatsConnection } from "@nats-io/transport-node";
import { liveMypageSubject, liveSeatsSubject } from "@cinema/platform/events";
import { natsFeed } from "../gateway/src/nats-feed.ts";
import { connectLiveFeed } from "../gateway/src/subscriptions.ts";
import { freePort, startNatsServer } from "../scripts/lib/infra.ts";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, reserve } from "./fixtures.ts";

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

/** A graphql-ws client of the test stack's gateway; `authorization` goes in connectionParams as is. */
function wsClient(authorization?: string, closed?: (event: unknown) => void): Client {
  const client = createClient({
    url: t.stack.gatewayUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    on: closed ? { closed } : {},
  });
  clients.push(client);
  return client;
}
const bearer = async (user: string, role: "customer" | "admin" = "customer") => `Bearer ${await t.tokenFor(user, role)}`;

interface Recorded {
  results: FormattedExecutionResult<any, unknown>[];
  /** Whatever reached the sink's error: formatted GraphQL errors, or a CloseEvent. */
  error?: any;
  completed: boolean;
  stop: () => void;
}
function record(client: Client, query: string, variables?: Record<string, unknown>): Recorded {
  const rec: Recorded = { results: [], completed: false, stop: () => {} };
  rec.stop = client.subscribe(
    { query, variables },
    { next: (r) => void rec.results.push(r), error: (e) => void (rec.error = e), complete: () => void (rec.completed = true) },
  );
  return rec;
}
/** The first GraphQL error of a subscription, whether sent as an error message or a result with errors. */
const firstError = (rec: Recorded) => (Array.isArray(rec.error) ? rec.error[0] : rec.results.find((r) => r.errors)?.errors?.[0]);

/**
 * The gateway subscribes to NATS a moment after the client's subscribe: publish a probe on the
 * subject until the client got it, so what the test does next is surely seen.
 */
async function untilLive(rec: Recorded, subject: string, probe: Record<string, unknown>, isProbe: (data: any) => boolean) {
  await waitFor(() => {
    nc.publish(subject, JSON.stringify(probe));
    return rec.results.some((r) => r.data && isProbe(Object.values(r.data)[0]));
  }, { intervalMs: 200, timeoutMs: 10_000 });
}
/** True when nobody subscribes to `subject` (core NATS answers a request with "no responders"). */
async function noSubscriber(subject: string, payload: unknown): Promise<boolean> {
  try {
    await nc.request(subject, JSON.stringify(payload), { timeout: 300 });
    return false;
  } catch (err) {
    const cause = err instanceof natsErrors.RequestError ? err.cause : err;
    if (cause instanceof natsErrors.NoRespondersError) return true;
    if (cause instanceof natsErrors.TimeoutError) return false; // someone listens (and does not answer)
    throw err;
  }
}

const SEAT_MAP = `subscription ($id: ID!) { seatMapChanged(screeningId: $id) { screeningId availableSeatCount seats { label status } } }`;
const MINE = `subscription { myReservationsChanged { id status seats amountCents } }`;
const STATUS = `subscription ($id: ID!) {
  reservationStatusChanged(id: $id) { id status paymentStatus ticketStatus seatsReleased movieTitle seats updatedAt history { kind } }
}`;
const seatProbe = (screeningId: string) => ({ screeningId, seats: [], availableSeatCount: -1 });
const isSeatProbe = (d: any) => d?.availableSeatCount === -1;
const bookingProbe = { id: "probe", status: "PROBE", seatsReleased: false, seats: [], amountCents: 0, currency: "KRW", bookedAt: new Date().toISOString(), updatedAt: new Date().toISOString(), history: [] };
const isBookingProbe = (d: any) => d?.id === "probe";
const realResults = (rec: Recorded, isProbe: (d: any) => boolean) =>
  rec.results.map((r) => r.data && Object.values(r.data)[0]).filter((d) => d && !isProbe(d));

describe("over HTTP", () => {
  it("lists the Subscription type with its five fields in introspection", async () => {
    const res = await t.gql(`{ __schema { subscriptionType { name fields { name args { name } } } } }`);
    expect(res.errors).toBeUndefined();
    const type = res.data.__schema.subscriptionType;
    expect(type.name).toBe("Subscription");
    const fields = Object.fromEntries(type.fields.map((f: { name: string; args: { name: string }[] }) => [f.name, f.args.map((a) => a.name)]));
    expect(fields).toEqual({ seatMapChanged: ["screeningId"], reservationStatusChanged: ["id"], myReservationsChanged: [], dashboardChanged: [], waitingRoom: ["screeningId"] });
  });

  it("refuses a subscription sent as POST with a 400 that points to the WebSocket endpoint", async () => {
    const res = await t.gql(SEAT_MAP, { id: randomUUID() });
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.message).toMatch(/^Subscriptions are served over WebSocket \(graphql-ws\) at ws:\/\/127\.0\.0\.1:\d+\/graphql/);
    expect(res.errors![0]!.extensions).toEqual({ code: "BAD_USER_INPUT", field: "query" });
    // Behind a TLS proxy the pointer is the address the client used.
    const proxied = await t.gql(SEAT_MAP, { id: randomUUID() }, { headers: { "x-forwarded-host": "cinema.example", "x-forwarded-proto": "https" } });
    expect(proxied.status).toBe(400);
    expect(proxied.errors?.[0]?.message).toContain("wss://cinema.example/graphql");
  });

  it("refuses a subscription sent as GET (Apollo Server's own 405: GET serves queries only)", async () => {
    const url = new URL(t.stack.gatewayUrl);
    url.searchParams.set("query", `subscription { seatMapChanged(screeningId: "${randomUUID()}") { availableSeatCount } }`);
    const res = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
    expect(res.status).toBe(405);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.message).toMatch(/not subscription operations/);
    expect(body.errors[0]!.extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("seatMapChanged", () => {
  it("streams a screening's seat changes to anyone, and nothing of other screenings", async () => {
    const [s, other] = [await bookableScreening(t), await bookableScreening(t)];
    const client = wsClient(); // anonymous
    const watching = record(client, SEAT_MAP, { id: s.id });
    const elsewhere = record(client, SEAT_MAP, { id: other.id });
    await untilLive(watching, liveSeatsSubject(t.stack.eventsPrefix, s.id), seatProbe(s.id), isSeatProbe);
    await untilLive(elsewhere, liveSeatsSubject(t.stack.eventsPrefix, other.id), seatProbe(other.id), isSeatProbe);

    const booked = await reserve(t, `carol-${randomUUID()}`, { screeningId: s.id, seats: ["A-1", "A-2"] });
    expect(booked.errors).toBeUndefined();

    // Each message lists the seats that changed; replaying them must end with both seats SOLD.
    const changes: any[] = await waitFor(() => {
      const real = realResults(watching, isSeatProbe);
      const last: Record<string, string> = {};
      for (const change of real) for (const seat of change.seats) last[seat.label] = seat.status;
      return last["A-1"] === "SOLD" && last["A-2"] === "SOLD" ? real : undefined;
    }) as any[];
    expect(watching.results.every((r) => !r.errors)).toBe(true);
    expect(changes.every((c: any) => c.screeningId === s.id)).toBe(true);
    expect(new Set(changes.flatMap((c: any) => c.seats.map((seat: { label: string }) => seat.label)))).toEqual(new Set(["A-1", "A-2"]));
    const counts = changes.map((c: any) => c.availableSeatCount);
    expect(counts.every((n: number, i: number) => n < s.capacity && (i === 0 || n <= counts[i - 1]))).toBe(true);
    expect(counts.at(-1)).toBe(s.capacity - 2);

    await sleep(500); // anything of screening s that would wrongly reach the other subscription
    expect(realResults(elsewhere, isSeatProbe)).toEqual([]);
    expect(watching.error).toBeUndefined();
    expect(watching.completed).toBe(false);
  });

  it("refuses a screening id that would widen the NATS subject (wildcards)", async () => {
    const rec = record(wsClient(), SEAT_MAP, { id: ">" });
    await waitFor(() => firstError(rec));
    expect(firstError(rec)?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "screeningId" });
  });
});

describe("myReservationsChanged", () => {
  it("tells a customer about her own booking, and another customer nothing of it", async () => {
    const [alice, bob] = [`alice-${randomUUID()}`, `bob-${randomUUID()}`];
    const s = await bookableScreening(t);
    const hers = record(wsClient(await bearer(alice)), MINE);
    const his = record(wsClient(await bearer(bob)), MINE);
    await untilLive(hers, liveMypageSubject(t.stack.eventsPrefix, alice), bookingProbe, isBookingProbe);
    await untilLive(his, liveMypageSubject(t.stack.eventsPrefix, bob), bookingProbe, isBookingProbe);

    const booked = await reserve(t, alice, { screeningId: s.id, seats: ["B-1", "B-2"] });
    expect(booked.errors).toBeUndefined();
    const id = booked.data.reserve.id;
    const mine = await waitFor(() => realResults(hers, isBookingProbe).find((r: any) => r.id === id && r.status === "CONFIRMED"));
    expect(mine).toEqual({ id, status: "CONFIRMED", seats: ["B-1", "B-2"], amountCents: 2 * s.priceCents });

    await sleep(1_500); // bounded wait: later changes of alice's booking (ticket issued) must not reach bob either
    expect(realResults(his, isBookingProbe)).toEqual([]);
    expect(hers.results.every((r) => !r.errors)).toBe(true);
  });

  it("is for signed-in users only: anonymous gets UNAUTHENTICATED", async () => {
    const rec = record(wsClient(), MINE);
    await waitFor(() => firstError(rec));
    expect(firstError(rec)?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(JSON.stringify(rec.results)).not.toMatch(/stack|at .*\.ts/);
  });
});

describe("reservationStatusChanged", () => {
  it("gives the owner (and staff) the current state first, then every change", async () => {
    const owner = `dana-${randomUUID()}`;
    const s = await bookableScreening(t);
    const booked = await reserve(t, owner, { screeningId: s.id, seats: ["C-3"] });
    expect(booked.errors).toBeUndefined();
    const id: string = booked.data.reserve.id;
    // mypage's read model follows the booking event; the subscription answers from it.
    await waitFor(async () => (await t.gql(`query ($id: ID!) { myReservation(id: $id) { id } }`, { id }, { token: await t.tokenFor(owner) })).data?.myReservation);

    const own = record(wsClient(await bearer(owner)), STATUS, { id });
    const staff = record(wsClient(await bearer("staff", "admin")), STATUS, { id });
    const first = (await waitFor(() => own.results[0]))!;
    expect(first.errors).toBeUndefined();
    expect(first.data?.reservationStatusChanged).toMatchObject({ id, status: "CONFIRMED", paymentStatus: "CAPTURED", seats: ["C-3"], seatsReleased: false });
    expect(first.data!.reservationStatusChanged.history.map((h: { kind: string }) => h.kind)).toContain("CONFIRMED");
    expect((await waitFor(() => staff.results[0]))!.data?.reservationStatusChanged).toMatchObject({ id, status: "CONFIRMED" });

    const cancel = await t.gql(`mutation ($id: ID!) { cancelReservation(id: $id) { status } }`, { id }, { token: await t.tokenFor(owner) });
    expect(cancel.errors).toBeUndefined();
    for (const rec of [own, staff]) {
      const cancelled = (await waitFor(() => rec.results.find((r) => r.data?.reservationStatusChanged.status === "CANCELLED")))!;
      expect(cancelled.data?.reservationStatusChanged.id).toBe(id);
      expect(rec.results.every((r) => !r.errors && r.data?.reservationStatusChanged.id === id)).toBe(true);
      rec.stop(); // staff listen on every customer's subject: the leak check below must not see them
    }
  });

  it("says NOT_FOUND to another customer, and for an unknown or malformed id, without holding a NATS subscription", async () => {
    const owner = `erin-${randomUUID()}`;
    const snoop = `frank-${randomUUID()}`;
    const s = await bookableScreening(t);
    const booked = await reserve(t, owner, { screeningId: s.id, seats: ["D-1"] });
    const id: string = booked.data.reserve.id;
    await waitFor(async () => (await t.gql(`query ($id: ID!) { myReservation(id: $id) { id } }`, { id }, { token: await t.tokenFor(owner) })).data?.myReservation);

    const client = wsClient(await bearer(snoop));
    for (const asked of [id, randomUUID(), "not-an-id"]) {
      const rec = record(client, STATUS, { id: asked });
      await waitFor(() => rec.completed || rec.error);
      const error = firstError(rec);
      expect(error?.extensions?.code).toBe("NOT_FOUND");
      expect(error?.message).not.toMatch(/erin|owner|belongs/i);
      expect(rec.results.some((r) => r.data?.reservationStatusChanged)).toBe(false);
    }
    // The gateway subscribed (before reading the state) and must have let go after the refusal.
    await waitFor(() => noSubscriber(liveMypageSubject(t.stack.eventsPrefix, snoop), bookingProbe));
  });

  it("refuses anonymous callers with UNAUTHENTICATED", async () => {
    const rec = record(wsClient(), STATUS, { id: randomUUID() });
    await waitFor(() => firstError(rec));
    expect(firstError(rec)?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("closes the socket with 4401 Unauthorized for a forged token", async () => {
    const forged = `Bearer ${(await t.tokenFor("mallory")).slice(0, -4)}AAAA`;
    let closedWith: { code?: number; reason?: string } | undefined;
    const rec = record(wsClient(forged, (e) => void (closedWith = e as { code: number; reason: string })), STATUS, { id: randomUUID() });
    await waitFor(() => closedWith);
    expect(closedWith).toMatchObject({ code: 4401, reason: "Unauthorized" });
    expect(rec.results).toEqual([]);
    expect(rec.error?.code).toBe(4401);
  });

  it("accepts `Authorization` spelled with a capital A in connectionParams", async () => {
    const client = createClient({
      url: t.stack.gatewayUrl.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: await bearer(`gina-${randomUUID()}`) },
      retryAttempts: 0,
    });
    clients.push(client);
    const rec = record(client, STATUS, { id: randomUUID() });
    await waitFor(() => firstError(rec));
    expect(firstError(rec)?.extensions?.code).toBe("NOT_FOUND"); // signed in, so not UNAUTHENTICATED
  });
});

describe("over WebSocket, only subscriptions", () => {
  it("refuses a query or a mutation with a clear error pointing to HTTP POST", async () => {
    const client = wsClient(await bearer("hank"));
    const query = record(client, `{ movies { id } }`);
    const mutation = record(client, `mutation { cancelReservation(id: "${randomUUID()}") { id } }`);
    await waitFor(() => firstError(query) && firstError(mutation));
    expect(firstError(query)).toMatchObject({ message: expect.stringMatching(/Only subscriptions .* WebSocket.*queries as HTTP POST/), extensions: { code: "BAD_USER_INPUT" } });
    expect(firstError(mutation)).toMatchObject({ message: expect.stringMatching(/mutations as HTTP POST/), extensions: { code: "BAD_USER_INPUT" } });
    expect(query.results.some((r) => r.data)).toBe(false);
  });

  it("answers an invalid document with GRAPHQL_VALIDATION_FAILED, not a closed socket", async () => {
    const rec = record(wsClient(), `subscription { seatMapChanged(screeningId: "x") { nope } }`);
    await waitFor(() => firstError(rec));
    expect(firstError(rec)?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("no NATS subscription outlives its client", () => {
  it("lets go when the client stops the subscription, and when it disconnects", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const client = wsClient();
    const stopped = record(client, SEAT_MAP, { id: a });
    const dropped = record(client, SEAT_MAP, { id: b });
    await untilLive(stopped, liveSeatsSubject(t.stack.eventsPrefix, a), seatProbe(a), isSeatProbe);
    await untilLive(dropped, liveSeatsSubject(t.stack.eventsPrefix, b), seatProbe(b), isSeatProbe);
    expect(await noSubscriber(liveSeatsSubject(t.stack.eventsPrefix, a), seatProbe(a))).toBe(false);

    stopped.stop(); // graphql-ws "complete" while the gateway waits for the next message
    await waitFor(() => noSubscriber(liveSeatsSubject(t.stack.eventsPrefix, a), seatProbe(a)));
    expect(await noSubscriber(liveSeatsSubject(t.stack.eventsPrefix, b), seatProbe(b))).toBe(false);

    await client.dispose(); // the socket closes
    await waitFor(() => noSubscriber(liveSeatsSubject(t.stack.eventsPrefix, b), seatProbe(b)));
  });

  it("natsFeed: return() ends a pending next() and unsubscribes; bad JSON is skipped; filter and first apply", async () => {
    const subject = `feedtest.${randomUUID()}`;
    const sub = nc.subscribe(subject);
    const feed = natsFeed<{ n: number }>(sub, { first: [{ n: 0 }], filter: (v) => v.n % 2 === 0 });
    expect(await feed.next()).toEqual({ done: false, value: { n: 0 } });
    nc.publish(subject, "not json");
    nc.publish(subject, JSON.stringify({ n: 1 }));
    nc.publish(subject, JSON.stringify({ n: 2 }));
    expect(await feed.next()).toEqual({ done: false, value: { n: 2 } });

    const pending = feed.next(); // nothing more is coming
    await sleep(50);
    expect(await feed.return!()).toEqual({ done: true, value: undefined });
    expect(await Promise.race([pending, sleep(2_000, "still pending")])).toEqual({ done: true, value: undefined });
    expect(sub.isClosed()).toBe(true);
    expect(await feed.next()).toEqual({ done: true, value: undefined });
  });
});

describe("readiness and shutdown", () => {
  it("is ready only while its NATS connection is up (it reconnects by itself)", async () => {
    const storeDir = mkdtempSync(path.join(os.tmpdir(), "cinema-nats-"));
    const port = await freePort();
    let nats = await startNatsServer({ port, storeDir });
    const feed = await connectLiveFeed(nats.url);
    try {
      expect(feed.connected()).toBe(true);
      await nats.stop();
      await waitFor(() => !feed.connected());
      nats = await startNatsServer({ port, storeDir });
      await waitFor(() => feed.connected());
    } finally {
      await feed.close().catch(() => {});
      await nats.stop();
      rmSync(storeDir, { recursive: true, force: true });
    }
  });

  it("on SIGTERM closes every socket with 1001 and exits 0 promptly; restarted, it serves subscriptions again", async () => {
    const ready = `http://127.0.0.1:${t.stack.ports.gateway}/health/ready`;
    expect((await fetch(ready)).status).toBe(200);
    const id = randomUUID();
    let closed: { code?: number } | undefined;
    const rec = record(wsClient(undefined, (e) => void (closed = e as { code: number })), SEAT_MAP, { id });
    await untilLive(rec, liveSeatsSubject(t.stack.eventsPrefix, id), seatProbe(id), isSeatProbe);

    const started = Date.now();
    await t.stack.stop("gateway");
    expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s HTTP drain grace period
    expect(closed?.code).toBe(1001);
    expect(t.stack.logs("gateway")).toMatch(/exited \(code 0\)/);
    await waitFor(() => noSubscriber(liveSeatsSubject(t.stack.eventsPrefix, id), seatProbe(id)));

    await t.stack.start("gateway");
    const again = record(wsClient(), SEAT_MAP, { id });
    await untilLive(again, liveSeatsSubject(t.stack.eventsPrefix, id), seatProbe(id), isSeatProbe);
  });
});
