// Security at every boundary: subgraphs answer only the gateway's internal identity; bad tokens of
// every kind are refused at the gateway and at the subgraphs; bookings, payments and tickets are
// the owner's (or staff's) only, also on the entity path; the gateway's query limits, batching,
// CSRF, introspection/IDE switches and the rate limit of reserve; input validation at the edges;
// and no credential in the logs.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { getIntrospectionQuery } from "graphql";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createClient } from "graphql-ws";
import { INTERNAL_HEADER, signInternalToken, signToken, type Viewer } from "@cinema/platform/auth";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, RESERVE, reserve } from "./fixtures.ts";
import type { ExtraProcess } from "../scripts/lib/stack.ts";
import { SUBGRAPHS, type SubgraphName } from "../scripts/lib/subgraphs.ts";
import { TYPESCRIPT_FLAGS } from "../scripts/lib/typescript.ts";

const PER_USER = 5;
const PER_IP = 12;
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({
    envFor: {
      // Small limits to reach them; TRUST_PROXY so each test can be its own client address.
      gateway: { RESERVE_RATE_PER_MINUTE: String(PER_USER), RESERVE_RATE_PER_IP_PER_MINUTE: String(PER_IP), TRUST_PROXY: "loopback" },
    },
  });
});
afterAll(async () => {
  await t?.cleanup();
});

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
const code = (a: Answer) => a.body?.errors?.[0]?.extensions?.code;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const identity = async (viewer: Viewer) => ({ [INTERNAL_HEADER]: await signInternalToken(viewer) });
/** A client address of its own (the gateway trusts X-Forwarded-For from loopback in this stack). */
let ipCounter = 0;
const nextIp = () => ({ "x-forwarded-for": `198.51.100.${++ipCounter}` });

/** What the internal tokens are signed with (auth.ts derives it from JWT_SECRET; this test checks that design). */
const internalKey = () => new Uint8Array(createHmac("sha256", process.env.JWT_SECRET!).update("cinema-internal-identity-v1").digest());
const userKey = () => new TextEncoder().encode(process.env.JWT_SECRET!);
function jwt(claims: Record<string, unknown>, { key, exp = "5m", aud, iss = "cinema" }: { key: Uint8Array; exp?: string | number | null; aud: string; iss?: string }) {
  const token = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuer(iss).setAudience(aud).setIssuedAt();
  return (exp === null ? token : token.setExpirationTime(exp)).sign(key);
}
const unsigned = (claims: Record<string, unknown>) =>
  `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
const past = () => Math.floor(Date.now() / 1000) - 60;

async function booking(customer: string) {
  const s = await bookableScreening(t);
  const res = await reserve(t, customer, { screeningId: s.id, seats: ["A-1"] });
  expect(res.errors).toBeUndefined();
  return res.data.reserve.id as string;
}

describe("subgraphs answer only the gateway", () => {
  it("refuses every subgraph request without an internal identity: 401 UNAUTHENTICATED, anonymous or with a person's bearer token", async () => {
    const admin = await t.tokenFor("staff", "admin");
    for (const name of SUBGRAPHS) {
      const url = t.stack.urls[name];
      for (const headers of [{} as Record<string, string>, bearer(admin), { [INTERNAL_HEADER]: admin }, { [INTERNAL_HEADER]: `Bearer ${admin}` }, { [INTERNAL_HEADER]: "" }]) {
        const res = await post(url, { query: "{ __typename }" }, headers);
        expect(res.status, `${name} ${JSON.stringify(headers).slice(0, 40)}`).toBe(401);
        expect(code(res)).toBe("UNAUTHENTICATED");
        expect(res.body.data).toBeUndefined();
      }
      const anonymous = await post(url, { query: "{ __typename }" });
      expect(anonymous.body.errors[0].message).toMatch(/through the gateway/);
      // With the gateway's identity (anonymous included) the same request is answered.
      const ok = await post(url, { query: "{ __typename }" }, await identity(null));
      expect(ok.status, name).toBe(200);
      expect(ok.body.data).toEqual({ __typename: "Query" });
    }
  });

  it("refuses forged, expired, alg none, wrong-audience, wrong-issuer and unknown-role internal tokens", async () => {
    const sub = "staff";
    const bad: Record<string, string> = {
      "a person's token (user key, user audience)": await signToken(sub, "admin"),
      "user key, internal audience": await jwt({ role: "admin", sub }, { key: userKey(), aud: "cinema-internal" }),
      "internal key, user audience": await jwt({ role: "admin", sub }, { key: internalKey(), aud: "cinema-api" }),
      "another secret": await jwt({ role: "admin", sub }, { key: randomBytes(32), aud: "cinema-internal" }),
      expired: await signInternalToken({ id: sub, role: "admin" }, { ttlSeconds: -60 }),
      "alg none": unsigned({ role: "admin", sub, aud: "cinema-internal", iss: "cinema", exp: past() + 3600 }),
      "wrong issuer": await jwt({ role: "admin", sub }, { key: internalKey(), aud: "cinema-internal", iss: "evil" }),
      "unknown role": await jwt({ role: "root", sub }, { key: internalKey(), aud: "cinema-internal" }),
      "no subject": await jwt({ role: "admin" }, { key: internalKey(), aud: "cinema-internal" }),
      "no expiry": await jwt({ role: "admin", sub }, { key: internalKey(), aud: "cinema-internal", exp: null }),
      "tampered payload": (await signInternalToken({ id: "alice", role: "customer" })).replace(/^([^.]+)\.([^.]+)\./, (_m, h) => `${h}.${Buffer.from(JSON.stringify({ sub: "alice", role: "admin", aud: "cinema-internal", iss: "cinema", exp: past() + 3600 })).toString("base64url")}.`),
      garbage: "not.a.jwt",
    };
    for (const name of ["movie", "reservation"] as SubgraphName[]) {
      for (const [why, token] of Object.entries(bad)) {
        const res = await post(t.stack.urls[name], { query: "{ __typename }" }, { [INTERNAL_HEADER]: token });
        expect(res.status, `${name}: ${why}`).toBe(401);
        expect(code(res), `${name}: ${why}`).toBe("UNAUTHENTICATED");
      }
    }
    // The same claims, properly signed, pass: the refusals above are about the token, not the request.
    const good = await jwt({ role: "admin", sub }, { key: internalKey(), aud: "cinema-internal" });
    expect((await post(t.stack.urls.movie, { query: "{ __typename }" }, { [INTERNAL_HEADER]: good })).status).toBe(200);
  });

  it("keeps the internal mutations to services, even with a valid customer's or staff's identity", async () => {
    const hold = { query: `mutation { holdSeats(reservationId: "${randomUUID()}", screeningId: "${randomUUID()}", labels: ["A-1"]) { label } }` };
    const capture = {
      query: `mutation { capturePayment(reservationId: "${randomUUID()}", customerId: "x", currency: "KRW", paymentToken: "tok_visa",
        pricing: { cinemaId: "${randomUUID()}", timeZone: "Asia/Seoul", startsAt: "2030-01-01T10:00:00Z", basePriceCents: 1, lines: [{ seat: "A-1", seatClass: STANDARD, ticketType: ADULT }] }) { id } }`,
    };
    for (const [url, body] of [[t.stack.urls.seat, hold], [t.stack.urls.payment, capture]] as const) {
      expect(code(await post(url, body, await identity({ id: "alice", role: "customer" })))).toBe("FORBIDDEN");
      expect(code(await post(url, body, await identity({ id: "staff", role: "admin" })))).toBe("FORBIDDEN");
      expect(code(await post(url, body, await identity(null)))).toBe("UNAUTHENTICATED");
    }
  });
});

describe("bookings, payments and tickets are the owner's", () => {
  const READ = `query ($id: ID!) { reservation(id: $id) { id status seats payment { status amountCents } ticket { code status } } }`;

  it("through the gateway: another customer sees nothing of a booking (reservation, payment, ticket, my page) and cannot cancel it; staff can see it", async () => {
    const id = await booking("olivia");
    const owner = await t.tokenFor("olivia");
    const other = await t.tokenFor("mallory");
    await waitFor(async () => (await t.gql(READ, { id }, { token: owner })).data?.reservation?.ticket, { timeoutMs: 10_000 });

    expect((await t.gql(READ, { id }, { token: owner })).data.reservation).toMatchObject({ status: "CONFIRMED", payment: { status: "CAPTURED" }, ticket: { status: "ISSUED" } });
    expect((await t.gql(READ, { id }, { token: other })).data.reservation).toBeNull();
    expect((await t.gql(READ, { id })).data.reservation).toBeNull();
    expect((await t.gql(`query ($id: ID!) { myReservation(id: $id) { id } }`, { id }, { token: other })).data.myReservation).toBeNull();
    const list = await t.gql(`{ myReservations(first: 100) { nodes { id } } }`, {}, { token: other });
    expect(list.data.myReservations.nodes.map((n: { id: string }) => n.id)).not.toContain(id);
    const cancel = await t.gql(`mutation ($id: ID!) { cancelReservation(id: $id) { id } }`, { id }, { token: other });
    expect(cancel.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(cancel.errors?.[0]?.message).not.toMatch(/olivia/);
    expect((await t.sql("reservation", `SELECT status FROM reservation WHERE id = $1`, [id]))[0].status).toBe("CONFIRMED");

    const staff = await t.gql(READ, { id }, { token: await t.tokenFor("staff", "admin") });
    expect(staff.data.reservation).toMatchObject({ id, payment: { status: "CAPTURED" } });
  });

  it("straight at the subgraphs, also on the entity path (_entities): null for someone else's booking and payment", async () => {
    const id = await booking("oscar");
    const owner: Viewer = { id: "oscar", role: "customer" };
    const other: Viewer = { id: "mallory", role: "customer" };
    const ENTITY_RESERVATION = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Reservation { id status ticket { code } } } }`;
    const ENTITY_PAYMENT = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Reservation { id payment { status amountCents } } } }`;
    const representations = [{ __typename: "Reservation", id }];

    const asOwner = await post(t.stack.urls.reservation, { query: ENTITY_RESERVATION, variables: { r: representations } }, await identity(owner));
    expect(asOwner.body.data._entities[0]).toMatchObject({ id, status: "CONFIRMED" });
    for (const who of [other, null]) {
      const res = await post(t.stack.urls.reservation, { query: ENTITY_RESERVATION, variables: { r: representations } }, await identity(who));
      expect(res.body.data._entities, `reservation entity as ${who?.id ?? "anonymous"}`).toEqual([null]);
      const direct = await post(t.stack.urls.reservation, { query: `query ($id: ID!) { reservation(id: $id) { id } }`, variables: { id } }, await identity(who));
      expect(direct.body.data.reservation).toBeNull();
      const pay = await post(t.stack.urls.payment, { query: ENTITY_PAYMENT, variables: { r: representations } }, await identity(who));
      expect(pay.body.data._entities[0].payment, `payment entity as ${who?.id ?? "anonymous"}`).toBeNull();
      const mine = await post(t.stack.urls.mypage, { query: `query ($id: ID!) { myReservation(id: $id) { id } }`, variables: { id } }, await identity(who));
      expect(mine.body.data?.myReservation ?? null).toBeNull();
    }
    const paid = await post(t.stack.urls.payment, { query: ENTITY_PAYMENT, variables: { r: representations } }, await identity(owner));
    expect(paid.body.data._entities[0].payment).toMatchObject({ status: "CAPTURED", amountCents: 12000 });
    // A client cannot reach _entities through the gateway at all.
    const viaGateway = await t.gql(ENTITY_RESERVATION, { r: representations }, { token: await t.tokenFor("oscar") });
    expect(viaGateway.status).toBe(400);
    expect(viaGateway.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("tokens at the gateway", () => {
  it("refuses expired, forged, alg none, wrong-audience (an internal token), service-role and malformed bearer tokens with 401", async () => {
    const bad: Record<string, string> = {
      expired: await signToken("alice", "customer", past()),
      "another secret": await jwt({ role: "customer", sub: "alice" }, { key: randomBytes(32), aud: "cinema-api" }),
      "alg none": unsigned({ role: "admin", sub: "alice", aud: "cinema-api", iss: "cinema", exp: past() + 3600 }),
      "an internal token as bearer": await signInternalToken({ id: "alice", role: "admin" }),
      "internal audience, user key": await jwt({ role: "admin", sub: "alice" }, { key: userKey(), aud: "cinema-internal" }),
      "role service": await jwt({ role: "service", sub: "reservation" }, { key: userKey(), aud: "cinema-api" }),
      "wrong issuer": await jwt({ role: "customer", sub: "alice" }, { key: userKey(), aud: "cinema-api", iss: "someone" }),
      "no expiry": await jwt({ role: "admin", sub: "alice" }, { key: userKey(), aud: "cinema-api", exp: null }),
    };
    for (const [why, token] of Object.entries(bad)) {
      const res = await post(t.stack.gatewayUrl, { query: "{ movies { id } }" }, bearer(token));
      expect(res.status, why).toBe(401);
      expect(code(res), why).toBe("UNAUTHENTICATED");
      expect(res.body.data, why).toBeUndefined();
    }
    for (const header of ["Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer a b", `Token ${await t.tokenFor("alice")}`]) {
      const res = await post(t.stack.gatewayUrl, { query: "{ movies { id } }" }, { authorization: header });
      expect(res.status, header).toBe(401);
      expect(code(res)).toBe("UNAUTHENTICATED");
    }
    const expired = await post(t.stack.gatewayUrl, { query: "{ movies { id } }" }, bearer(bad.expired!));
    expect(expired.body.errors[0].message).toMatch(/expired/);
  });

  it("ignores an x-cinema-identity header a client sends to the gateway (identity comes only from the bearer token)", async () => {
    const id = await booking("petra");
    // mallory presents a perfectly valid internal identity of petra: the gateway does not read it.
    const res = await t.gql(`query ($id: ID!) { reservation(id: $id) { id } }`, { id }, {
      token: await t.tokenFor("mallory"),
      headers: { [INTERNAL_HEADER]: await signInternalToken({ id: "petra", role: "customer" }) },
    });
    expect(res.data.reservation).toBeNull();
    const anonymous = await t.gql(`mutation ($id: ID!) { cancelReservation(id: $id) { id } }`, { id }, { headers: { [INTERNAL_HEADER]: await signInternalToken({ id: "staff", role: "admin" }) } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("query limits at the gateway", () => {
  const nest = (depth: number) => {
    // movies(1) > screenings(2) > movie(3) > screenings(4) …, closed by `id`.
    const parts = ["movies"];
    while (parts.length < depth - 1) parts.push(parts.length % 2 === 1 ? "screenings" : "movie");
    return `{ ${parts.map((p) => `${p} {`).join(" ")} id ${"}".repeat(parts.length)} }`;
  };

  it("refuses a query deeper than 10 with GRAPHQL_VALIDATION_FAILED (400), and answers one of depth 10", async () => {
    const ok = await t.gql(nest(10));
    expect(ok.status).toBe(200);
    expect(ok.errors).toBeUndefined();
    const deep = await t.gql(nest(11));
    expect(deep.status).toBe(400);
    expect(deep.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(deep.errors?.[0]?.message).toMatch(/depth limit of 10 exceeded, found 11/);
    expect(deep.errors?.[0]?.message).not.toMatch(/Syntax Error/);
    // Fragments do not hide depth.
    const viaFragments = await t.gql(`{ movies { ...A } } fragment A on Movie { screenings { ...B } } fragment B on Screening { movie { screenings { movie { screenings { movie { screenings { movie { screenings { id } } } } } } } } }`);
    expect(viaFragments.status).toBe(400);
    expect(viaFragments.errors?.[0]?.message).toMatch(/depth/);
  });

  it("refuses more than 15 aliases (an alias bomb), also hidden in fragments", async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: movies { id }`).join(" ");
    expect((await t.gql(`{ ${aliases(15)} }`)).errors).toBeUndefined();
    const bomb = await t.gql(`{ ${aliases(16)} }`);
    expect(bomb.status).toBe(400);
    expect(bomb.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Aliases limit of 15 exceeded/), extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    const hidden = await t.gql(`{ movies { ...F } x: movies { ...F } } fragment F on Movie { ${Array.from({ length: 8 }, (_, i) => `t${i}: title`).join(" ")} }`);
    expect(hidden.status).toBe(400);
    expect(hidden.errors?.[0]?.message).toMatch(/Aliases limit/);
  });

  it("refuses a query over the cost limit (5000)", async () => {
    const fields = `id status paymentStatus ticketStatus ticketCode seatsReleased movieTitle auditoriumName screeningStartsAt seats amountCents currency refundedAmountCents bookedAt updatedAt history { at kind description }`;
    const token = await t.tokenFor("costly");
    expect((await t.gql(`{ myReservations(first: 50) { nodes { ${fields} } } }`, {}, { token })).errors).toBeUndefined();
    const costly = await t.gql(`{ myReservations(first: 100) { nodes { ${fields} } } }`, {}, { token });
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Cost limit of 5000 exceeded/), extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
  });

  it("refuses a document of more than 2000 tokens while parsing (GRAPHQL_PARSE_FAILED)", async () => {
    const res = await t.gql(`{ movies { ${"id ".repeat(2100)} } }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    expect(res.errors?.[0]?.message).toMatch(/more tha[nt] 2000 tokens/); // graphql-js spells it "more that"
  });

  it("lets the standard introspection query through every limit (development)", async () => {
    const res = await t.gql(getIntrospectionQuery());
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data.__schema.queryType.name).toBe("Query");
  });

  it("refuses a batch (array body) with 400, a simple text/plain request (CSRF) with 400, and a body over 100 kB with 413", async () => {
    const batch = await post(t.stack.gatewayUrl, [{ query: "{ movies { id } }" }, { query: "{ movies { id } }" }]);
    expect(batch.status).toBe(400);
    expect(JSON.stringify(batch.body)).toMatch(/batch/i);

    const csrf = await fetch(t.stack.gatewayUrl, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ query: "{ movies { id } }" }) });
    expect(csrf.status).toBe(400);
    expect(await csrf.text()).toMatch(/Cross-Site Request Forgery/);
    const getWithoutPreflight = await fetch(`${t.stack.gatewayUrl}?query=${encodeURIComponent("{ movies { id } }")}`);
    expect(getWithoutPreflight.status).toBe(400);

    const big = await post(t.stack.gatewayUrl, { query: `{ movies { id } }`, variables: { x: "x".repeat(110 * 1024) } });
    expect(big.status).toBe(413);
    expect(code(big)).toBe("BAD_REQUEST");
    // Megabytes still being sent when the refusal is ready: the client reads the 413, not a broken pipe.
    for (let i = 0; i < 5; i++) {
      const huge = await post(t.stack.gatewayUrl, { query: `{ movies { id } }`, variables: { x: "x".repeat(3 * 1024 * 1024) } });
      expect(huge.status).toBe(413);
      expect(code(huge)).toBe("BAD_REQUEST");
    }
  });

  it("applies the same limits to subscriptions over WebSocket", async () => {
    const client = createClient({ url: t.stack.gatewayUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const aliases = Array.from({ length: 16 }, (_, i) => `c${i}: availableSeatCount`).join(" ");
      const errors = await new Promise<any>((resolve) => {
        client.subscribe({ query: `subscription { seatMapChanged(screeningId: "${randomUUID()}") { ${aliases} } }` }, { next: (r) => resolve(r.errors), error: resolve, complete: () => resolve(undefined) });
      });
      expect(errors?.[0]).toMatchObject({ message: expect.stringMatching(/Aliases limit/), extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
      const tokens = await new Promise<any>((resolve) => {
        client.subscribe({ query: `subscription { seatMapChanged(screeningId: "x") { ${"availableSeatCount ".repeat(2100)} } }` }, { next: (r) => resolve(r.errors), error: resolve, complete: () => resolve(undefined) });
      });
      expect(tokens?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    } finally {
      await client.dispose();
    }
  });
});

describe("introspection and the IDE", () => {
  let production: ExtraProcess | undefined;
  let overridden: ExtraProcess | undefined;
  afterAll(async () => {
    await production?.stop();
    await overridden?.stop();
  });
  const origin = (url: string) => url.replace(/\/graphql$/, "");

  it("are on in development: introspection, the landing page and /ide", async () => {
    expect((await t.gql(`{ __schema { queryType { name } } }`)).data.__schema.queryType.name).toBe("Query");
    const landing = await fetch(t.stack.gatewayUrl, { headers: { accept: "text/html" } });
    expect(landing.status).toBe(200);
    expect(landing.headers.get("content-type")).toMatch(/html/);
    expect((await fetch(`${origin(t.stack.gatewayUrl)}/ide`)).status).not.toBe(404);
  });

  it("are off by default with NODE_ENV=production (no field suggestions either), and GRAPHQL_INTROSPECTION / GRAPHQL_IDE turn them on", async () => {
    production = await t.stack.startExtra("gateway", { envOverrides: { NODE_ENV: "production" } });
    const introspection = await post(production.url, { query: `{ __schema { queryType { name } } }` });
    expect(introspection.status).toBe(400);
    expect(code(introspection)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(introspection.body.errors[0].message).toMatch(/[Ii]ntrospection/);
    const typo = await post(production.url, { query: `{ movie { titel } }` });
    expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean/);
    expect((await post(production.url, { query: `{ __typename movies { id } }` })).body.data.__typename).toBe("Query");
    const landing = await fetch(production.url, { headers: { accept: "text/html" } });
    expect(await landing.text()).not.toMatch(/sandbox|embeddable/i);
    expect((await fetch(`${origin(production.url)}/ide`)).status).toBe(404);
    expect((await fetch(`${origin(production.url)}/auth/dev-login`, { method: "POST" })).status).toBe(404);
    await production.stop();

    overridden = await t.stack.startExtra("gateway", { envOverrides: { NODE_ENV: "production", GRAPHQL_INTROSPECTION: "on", GRAPHQL_IDE: "on" } });
    expect((await post(overridden.url, { query: `{ __schema { queryType { name } } }` })).body.data.__schema.queryType.name).toBe("Query");
    expect((await fetch(`${origin(overridden.url)}/ide`)).status).not.toBe(404);
    const sandbox = await fetch(overridden.url, { headers: { accept: "text/html" } });
    expect(sandbox.status).toBe(200);
    expect(await sandbox.text()).toMatch(/sandbox|embeddable/i);
  });
});

describe("rate limit of reserve", () => {
  const attempt = async (user: string | undefined, headers: Record<string, string>, query = RESERVE) =>
    t.gql(query, { i: { screeningId: randomUUID(), seats: ["A-1"], paymentToken: "tok_visa", idempotencyKey: randomUUID() } }, {
      token: user ? await t.tokenFor(user) : undefined,
      headers,
    });
  const raw = async (user: string, headers: Record<string, string>) =>
    post(t.stack.gatewayUrl, { query: RESERVE, variables: { i: { screeningId: randomUUID(), seats: ["A-1"], paymentToken: "tok_visa", idempotencyKey: randomUUID() } } }, { ...bearer(await t.tokenFor(user)), ...headers });

  it(`allows ${PER_USER} per user per minute, then RATE_LIMITED with HTTP 429 and Retry-After; other users and queries are unaffected`, async () => {
    const ip = nextIp();
    const user = `scalper-${randomUUID()}`;
    for (let i = 0; i < PER_USER; i++) expect((await attempt(user, ip)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const limited = await raw(user, ip);
    expect(limited.status).toBe(429);
    expect(limited.body.data).toBeUndefined();
    expect(limited.body.errors[0]).toMatchObject({ message: expect.stringMatching(/Too many booking attempts/), extensions: { code: "RATE_LIMITED" } });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.errors[0].extensions.retryAfterSeconds).toBe(retryAfter);
    // From another address too: the limit is the user's.
    expect((await raw(user, nextIp())).status).toBe(429);
    // Someone else books on; the scalper can still browse.
    expect((await attempt(`fan-${randomUUID()}`, ip)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await t.gql(`{ movies { id } }`, {}, { token: await t.tokenFor(user), headers: ip })).status).toBe(200);
  });

  it("counts every aliased reserve in one operation", async () => {
    const ip = nextIp();
    const user = `aliaser-${randomUUID()}`;
    const input = (n: number) => `a${n}: reserve(input: { screeningId: "${randomUUID()}", seats: ["A-1"], paymentToken: "tok_visa", idempotencyKey: "${randomUUID()}" }) { id }`;
    const three = await t.gql(`mutation { ${[1, 2, 3].map(input).join(" ")} }`, {}, { token: await t.tokenFor(user), headers: ip });
    expect(three.status).toBe(200);
    const fragment = await t.gql(`mutation { ...R } fragment R on Mutation { ${[4, 5].map(input).join(" ")} }`, {}, { token: await t.tokenFor(user), headers: ip });
    expect(fragment.status).toBe(200);
    const sixth = await t.gql(`mutation { ${input(6)} }`, {}, { token: await t.tokenFor(user), headers: ip });
    expect(sixth.status).toBe(429);
    expect(sixth.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });

  it(`allows ${PER_IP} per client address per minute whoever signs in (and anonymous attempts count), then RATE_LIMITED`, async () => {
    const ip = nextIp();
    let sent = 0;
    for (let u = 0; sent < PER_IP - 2; u++) {
      for (let i = 0; i < 3 && sent < PER_IP - 2; i++, sent++) expect((await attempt(`crowd-${u}-${ip["x-forwarded-for"]}`, ip)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
    for (let i = 0; i < 2; i++) expect((await attempt(undefined, ip)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const limited = await raw(`newcomer-${randomUUID()}`, ip);
    expect(limited.status).toBe(429);
    expect(code(limited)).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Another address is not affected.
    expect((await attempt(`newcomer-${randomUUID()}`, nextIp())).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("still books normally under the limit", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 5 });
    const res = await reserve(t, `regular-${randomUUID()}`, { screeningId: s.id, seats: ["A-1"] });
    expect(res.data.reserve.status).toBe("CONFIRMED");
  });
});

describe("input validation at the edges", () => {
  it("refuses a malformed id in cancelReservation with BAD_USER_INPUT naming `id`; lookups of a malformed id answer null", async () => {
    const token = await t.tokenFor("vera");
    const res = await t.gql(`mutation { cancelReservation(id: "42") { id } }`, {}, { token });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });
    const lookups = await t.gql(`{ movie(id: "x") { id } screening(id: "${"y".repeat(5000)}") { id } reservation(id: "1; DROP TABLE reservation") { id } myReservation(id: "z") { id } }`, {}, { token });
    expect(lookups.errors).toBeUndefined();
    expect(lookups.data).toEqual({ movie: null, screening: null, reservation: null, myReservation: null });
  });

  it("refuses myReservations' first outside 1..100 and any `after` it did not hand out; null means the default", async () => {
    const token = await t.tokenFor("walt");
    const Q = `query ($first: Int, $after: String) { myReservations(first: $first, after: $after) { nodes { id } endCursor } }`;
    for (const first of [0, -1, 101, 2_147_483_647]) {
      const res = await t.gql(Q, { first }, { token });
      expect(res.errors?.[0]?.extensions, String(first)).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
    }
    expect((await t.gql(Q, { first: null }, { token })).errors).toBeUndefined();
    const forged = [
      "garbage",
      Buffer.from(`-100000000000000000000_${randomUUID()}`).toString("base64url"),
      Buffer.from(`1e400_${randomUUID()}`).toString("base64url"),
      Buffer.from(`99999999999999999_${randomUUID()}`).toString("base64url"),
      Buffer.from(`1_${randomUUID()}_x`).toString("base64url"),
      "A".repeat(50_000),
      "",
    ];
    for (const after of forged) {
      const res = await t.gql(Q, { first: 5, after }, { token });
      if (after === "") expect(res.errors).toBeUndefined();
      else expect(res.errors?.[0]?.extensions, after.slice(0, 30)).toMatchObject({ code: "BAD_USER_INPUT", field: "after" });
    }
    expect((await t.gql(Q, { first: 5, after: Buffer.from(`${Date.now()}_${randomUUID()}`).toString("base64url") }, { token })).errors).toBeUndefined();
  });

  it("refuses control characters, NUL and broken Unicode in staff text, naming the field; keeps real Unicode and line breaks", async () => {
    const admin = await t.tokenFor("staff", "admin");
    const REGISTER = `mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id title summary } }`;
    const base = { title: "기생충 🎬", summary: "Line one\nLine two\ttabbed", runtimeMinutes: 132, rating: "AGE_15" };
    const ok = await t.gql(REGISTER, { i: base }, { token: admin });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.registerMovie).toMatchObject({ title: "기생충 🎬", summary: base.summary });
    for (const [field, value] of [
      ["title", "nul\u0000byte"],
      ["title", "bell\u0007"],
      ["title", "line\nbreak"],
      ["title", "lone \ud800 surrogate"],
      ["title", "   "],
      ["summary", "nul\u0000byte"],
      ["summary", "esc\u001b[31m"],
      ["title", "t".repeat(201)],
    ] as const) {
      const res = await t.gql(REGISTER, { i: { ...base, [field]: value } }, { token: admin });
      expect(res.status, JSON.stringify(value)).toBeLessThan(500);
      expect(res.errors?.[0]?.extensions, JSON.stringify(value)).toMatchObject({ code: "BAD_USER_INPUT", field: `input.${field}` });
    }
    const hall = await t.gql(`mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id } }`, { i: { name: "Hall\u0000", rows: 1, seatsPerRow: 1 } }, { token: admin });
    expect(hall.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.name" });
  });

  it("refuses a payment token that is not a token, and non-positive prices", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 5 });
    for (const paymentToken of ["tok visa", "tok_\u0000", "토큰", "x".repeat(201)]) {
      const res = await reserve(t, `yuri-${randomUUID()}`, { screeningId: s.id, seats: ["A-1"], paymentToken });
      expect(res.errors?.[0]?.extensions, paymentToken.slice(0, 20)).toMatchObject({ code: "BAD_USER_INPUT", field: "input.paymentToken" });
    }
    const admin = await t.tokenFor("staff", "admin");
    for (const priceCents of [0, -100]) {
      const res = await t.gql(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
        i: { movieId: randomUUID(), auditoriumId: randomUUID(), startsAt: new Date(Date.now() + 86_400_000).toISOString(), priceCents },
      }, { token: admin });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.priceCents" });
    }
  });
});

describe("secrets", () => {
  it("redacts bearer tokens, internal identities, connection params and card tokens in logs", () => {
    const script = `import { logger } from "@cinema/platform/logger";
      logger.warn({ authorization: "Bearer SECRET1", req: { headers: { authorization: "Bearer SECRET2", "x-cinema-identity": "SECRET3" } },
        headers: { "x-cinema-identity": "SECRET4", authorization: "SECRET5" }, requestHeaders: { "x-cinema-identity": "SECRET6" },
        connectionParams: { authorization: "SECRET7", Authorization: "SECRET8" }, variables: { i: { paymentToken: "SECRET9" } }, token: "SECRET10" }, "probe");`;
    const out = execFileSync(process.execPath, [...TYPESCRIPT_FLAGS, "--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, LOG_LEVEL: "info" } });
    expect(out).toContain("probe");
    expect(out).not.toMatch(/SECRET\d/);
    expect(out.match(/\[redacted\]/g)?.length).toBe(10);
  });

  it("never logs a token or a secret: no JWT and no JWT_SECRET in any process's output", () => {
    for (const name of ["gateway", ...SUBGRAPHS] as const) {
      const logs = t.stack.logs(name);
      expect(logs, name).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
      expect(logs, name).not.toContain(process.env.JWT_SECRET!);
    }
  });
});
