// Hostile input against the gateway over HTTP, property-based (fast-check): arbitrary and mutated
// documents, variables of the wrong types, huge strings around the body limit, Unicode, deep
// nesting, alias and fragment bombs, malformed bodies and content types, bad tokens — mixed with
// real bookings and cancellations. Whatever arrives: never a 5xx, never an untyped or internal
// error, every process still alive, no fatal log line, and afterwards every invariant across the
// databases holds (test/faults/invariants.ts, shared with the fault suite).
//
// `npm test` runs FUZZ_RUNS=500 (well under a minute); `npm run fuzz` runs 10,000. FUZZ_SEED replays a run.
import { randomUUID } from "node:crypto";
import { getIntrospectionQuery } from "graphql";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERNAL_HEADER, signInternalToken, signToken } from "@cinema/platform/auth";
import { APOLLO_REQUEST_CODES, REFUSAL_CODES } from "@cinema/platform/errors";
import { startTestStack, type TestStack } from "./harness.ts";
import { bookableScreening } from "./fixtures.ts";
import { settle } from "./faults/invariants.ts";
import { PROCESS_NAMES } from "../scripts/lib/stack.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

let t: TestStack;
beforeAll(async () => {
  // The production defaults of the rate limit (the harness turns it off for other tests).
  // TRUST_PROXY: the bookings below come "from" one address per customer, and the other probes
  // forge X-Forwarded-For at will.
  t = await startTestStack({ envFor: { gateway: { RESERVE_RATE_PER_MINUTE: "30", RESERVE_RATE_PER_IP_PER_MINUTE: "120", TRUST_PROXY: "loopback" } } });
});
afterAll(async () => {
  await t?.cleanup();
});

/** Codes a client may see: the platform's (but never INTERNAL_SERVER_ERROR) and Apollo's request codes. */
const TYPED = new Set<string>([...REFUSAL_CODES, ...APOLLO_REQUEST_CODES]);

type Auth = ({ kind: "none" } | { kind: "customer"; n: number } | { kind: "admin" } | { kind: "header"; value: string } | { kind: "expired" } | { kind: "internal" }) & { forwardedFor?: string | null };
type Probe =
  | { kind: "json"; what: string; body: unknown; auth: Auth; preflight: boolean }
  | { kind: "raw"; what: string; body: string | Uint8Array; contentType: string; auth: Auth; preflight: boolean }
  | { kind: "get"; what: string; params: Record<string, string>; auth: Auth }
  | { kind: "book"; seats: string[]; paymentToken: string; customer: number; key: string | null }
  | { kind: "cancel"; pick: number; customer: number | "admin" };

// ---------------------------------------------------------------------------------------------
// Generators.

const SPECIAL = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "\udfff\ud800",
  "\u202e",
  "\ufeff",
  "A-1",
  "Z-99",
  "A-0",
  "a-1",
  "tok_visa",
  "tok_chargeDeclined",
  "00000000-0000-4000-8000-000000000000",
  "' OR 1=1 --",
  "'; DROP TABLE reservation; --",
  "${jndi:ldap://x/a}",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "%00%ff",
  "__proto__",
  "constructor",
  "NaN",
  "-1e400",
  "9".repeat(400),
  "🎬".repeat(500),
  "기생충",
  "ｆｕｌｌｗｉｄｔｈ",
  "e\u0301\u0301\u0301\u0301",
  "\\",
  '"',
  "{",
  "$i",
  "@include",
  "> *",
];
const special = fc.constantFrom(...SPECIAL);
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary", minLength: 200, maxLength: 5_000 }),
  special,
  fc.integer().map(String),
);
/** A string around the 100 kB body limit (below, at, beyond), of one repeated unit. */
const huge = fc
  .tuple(fc.constantFrom("x", "한", "🎬", "\u0000", "\ud800", '"', "\\"), fc.integer({ min: 10_000, max: 160_000 }))
  .map(([unit, bytes]) => unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))));
const scalar = fc.oneof(text, fc.integer(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.double(), fc.boolean(), fc.constant(null), fc.bigInt().map(String));
const anyValue = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 2, arbitrary: fc.jsonValue() }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 20 }) }, { weight: 1, arbitrary: fc.dictionary(text, scalar, { maxKeys: 8 }) });
const seatLabel = fc.tuple(fc.integer({ min: 0, max: 27 }), fc.integer({ min: -1, max: 100 })).map(([r, n]) => `${String.fromCharCode(64 + r)}-${n}`);
const validSeat = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 20 })).map(([r, n]) => `${String.fromCharCode(65 + r)}-${n}`);
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 });
const who: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "none" } as const) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }).map((n) => ({ kind: "customer", n }) as const) },
  { weight: 3, arbitrary: fc.constant({ kind: "admin" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "expired" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "internal" } as const) },
  { weight: 1, arbitrary: fc.oneof(headerText, headerText.map((s) => `Bearer ${s}`)).map((value) => ({ kind: "header", value }) as const) },
);
const forwardedFor = fc.option(fc.oneof(headerText, fc.ipV4(), fc.ipV6(), fc.array(fc.ipV4(), { maxLength: 5 }).map((a) => a.join(", "))), { freq: 3, nil: null });
const auth: fc.Arbitrary<Auth> = fc.tuple(who, forwardedFor).map(([a, forwardedFor]) => ({ ...a, forwardedFor }));

/** Valid documents with the variables they declare, the corpus the mutators start from. */
function corpus(screeningId: string) {
  return [
    { query: `{ movies { id title summary runtimeMinutes rating screenings { id startsAt priceCents currency onSale availableSeatCount auditorium { id name capacity } } } }` },
    { query: `query ($id: ID!) { screening(id: $id) { id startsAt endsAt movie { title } seats { label row number status } availableSeatCount } }`, vars: { id: screeningId } },
    { query: `query ($id: ID!, $p: Boolean) { movie(id: $id) { id title screenings(includePast: $p) { id } } }`, vars: { id: randomUUID(), p: true } },
    { query: `{ auditoriums { id name rows seatsPerRow capacity } }` },
    { query: `query ($id: ID!) { reservation(id: $id) { id status seats amountCents failureReason payment { status amountCents } ticket { code status qrSvg } screening { id } } }`, vars: { id: randomUUID() } },
    { query: `query ($first: Int, $after: String) { myReservations(first: $first, after: $after) { nodes { id status seats history { kind at } } endCursor hasNextPage } }`, vars: { first: 5 } },
    { query: `query ($id: ID!) { myReservation(id: $id) { id status paymentStatus ticketCode } }`, vars: { id: randomUUID() } },
    {
      query: `mutation ($i: ReserveInput!) { reserve(input: $i) { id status seats amountCents payment { status } } }`,
      vars: { i: { screeningId, seats: ["J-20"], paymentToken: "tok_chargeDeclined", idempotencyKey: randomUUID() } },
    },
    { query: `mutation ($id: ID!) { cancelReservation(id: $id) { id status } }`, vars: { id: randomUUID() } },
    { query: `mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id title } }`, vars: { i: { title: "Fuzz", summary: "Fuzz", runtimeMinutes: 90, rating: "ALL" } } },
    { query: `mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id capacity } }`, vars: { i: { name: `Fuzz ${randomUUID()}`, rows: 1, seatsPerRow: 1 } } },
    {
      query: `mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`,
      vars: { i: { movieId: randomUUID(), auditoriumId: randomUUID(), startsAt: new Date(Date.now() + 86_400_000).toISOString(), priceCents: 1000 } },
    },
    { query: `mutation { reconcileReservations { completed failed compensated deferred } }` },
    { query: `subscription ($id: ID!) { seatMapChanged(screeningId: $id) { availableSeatCount } }`, vars: { id: screeningId } },
    { query: `query Named { __typename movies { ...M } } fragment M on Movie { id title }`, operationName: "Named" },
    { query: getIntrospectionQuery() },
  ] as { query: string; vars?: Record<string, unknown>; operationName?: string }[];
}

/** Edits of a string: delete, insert, duplicate, replace with a GraphQL punctuator, swap halves. */
const edit = fc.record({
  op: fc.constantFrom("delete", "insert", "dup", "punct", "swap", "truncate"),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  len: fc.integer({ min: 1, max: 40 }),
  text: fc.oneof(text, fc.constantFrom("{", "}", "(", ")", "[", "]", ":", "$", "@", "!", "...", "\"", '"""', "#", "\n", "on", "fragment", "query", "mutation", "subscription", "__schema", "__typename")),
});
function applyEdit(s: string, e: { op: string; at: number; len: number; text: string }): string {
  const i = Math.floor(e.at * s.length);
  switch (e.op) {
    case "delete":
      return s.slice(0, i) + s.slice(i + e.len);
    case "insert":
      return s.slice(0, i) + e.text + s.slice(i);
    case "dup":
      return s.slice(0, i + e.len) + s.slice(i, i + e.len) + s.slice(i + e.len);
    case "punct":
      return s.slice(0, i) + e.text.slice(0, 3) + s.slice(i + 1);
    case "swap":
      return s.slice(i) + s.slice(0, i);
    default:
      return s.slice(0, i);
  }
}

const nestField = (k: number) => `{ movies { ${"screenings { movie { ".repeat(k)} id ${"} } ".repeat(k)} } }`;
const aliasBomb = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(" ")} }`;
/** F0 spreads F1 twice, F1 spreads F2 twice, …: 2^k fields once expanded. */
const fragmentBomb = (k: number) =>
  `{ movies { ...F0 } } ${Array.from({ length: k }, (_, i) => `fragment F${i} on Movie { ${i + 1 < k ? `...F${i + 1} ...F${i + 1}` : "id title"} }`).join(" ")}`;

function probes(screeningId: string): fc.Arbitrary<Probe> {
  const docs = corpus(screeningId);
  const doc = fc.constantFrom(...docs);
  const json = (what: string, body: fc.Arbitrary<unknown>): fc.Arbitrary<Probe> =>
    fc.record({ body, auth, preflight: fc.boolean() }).map((r) => ({ kind: "json", what, ...r }));

  const arbitraryQuery = json("arbitrary query string", fc.record({ query: fc.oneof(text, huge) }));
  const mutatedQuery = json(
    "mutated valid query",
    fc.tuple(doc, fc.array(edit, { minLength: 1, maxLength: 6 })).map(([d, edits]) => ({ query: edits.reduce(applyEdit, d.query), variables: d.vars, operationName: d.operationName })),
  );
  const wrongVariables = json(
    "valid query, wrong variables",
    fc.tuple(doc, fc.dictionary(fc.oneof(fc.constantFrom("id", "i", "first", "after", "p", "x"), text), anyValue, { maxKeys: 4 }), fc.boolean()).map(([d, vars, merge]) => ({
      query: d.query,
      variables: merge ? { ...d.vars, ...vars } : vars,
      operationName: d.operationName,
    })),
  );
  const wrongInputFields = json(
    "valid mutation, fuzzed input fields",
    fc
      .tuple(
        fc.constantFrom(...docs.filter((d) => d.vars?.i)),
        fc.dictionary(fc.constantFrom("screeningId", "seats", "paymentToken", "idempotencyKey", "title", "summary", "runtimeMinutes", "rating", "name", "rows", "seatsPerRow", "movieId", "auditoriumId", "startsAt", "priceCents", "extra"), fc.oneof(anyValue, fc.array(seatLabel, { maxLength: 12 }), huge.map((s) => s.slice(0, 60_000))), { maxKeys: 3 }),
      )
      .map(([d, fields]) => ({ query: d.query, variables: { i: { ...(d.vars!.i as object), ...fields } } })),
  );
  const hugeVariables = json("huge variables", fc.tuple(doc, huge).map(([d, s]) => ({ query: d.query, variables: { ...d.vars, id: s, i: { title: s, seats: [s] } } })));
  const deep = json(
    "deep nesting",
    fc.oneof(
      fc.integer({ min: 1, max: 400 }).map((k) => ({ query: nestField(k) })),
      fc.integer({ min: 1, max: 60_000 }).map((k) => ({ query: "{".repeat(k) + "}".repeat(k) })),
      fc.integer({ min: 1, max: 5_000 }).map((k) => ({ query: `{ movie(id: ${"[".repeat(k)}1${"]".repeat(k)}) { id } }` })),
      // DateTime is a custom scalar: an object literal of any depth is a "valid" value until the movie subgraph's zod.
      fc.integer({ min: 1, max: 700 }).map((k) => ({
        query: `mutation { scheduleScreening(input: { movieId: "${randomUUID()}", auditoriumId: "${randomUUID()}", priceCents: 1, startsAt: ${"{a: ".repeat(k)}1${"}".repeat(k)} }) { id } }`,
      })),
    ),
  );
  // Deeply nested JSON is built as text: as objects it would overflow this process's own stack first.
  const deepJson: fc.Arbitrary<Probe> = fc
    .record({
      body: fc.oneof(
        fc.integer({ min: 1, max: 40_000 }).map((k) => `{"query":${JSON.stringify(docs[1]!.query)},"variables":{"id":${"[".repeat(k)}${"]".repeat(k)}}}`),
        fc.integer({ min: 1, max: 15_000 }).map((k) => {
          const input = JSON.stringify(docs[11]!.vars!.i).replace(/"startsAt":"[^"]*"/, `"startsAt":${'{"a":'.repeat(k)}1${"}".repeat(k)}`);
          return `{"query":${JSON.stringify(docs[11]!.query)},"variables":{"i":${input}}}`;
        }),
      ),
      auth,
      preflight: fc.boolean(),
    })
    .map((r) => ({ kind: "raw", what: "deeply nested JSON", contentType: "application/json", ...r }));
  const bombs = json(
    "alias, fragment and directive bombs",
    fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 3_000 }), fc.constantFrom("movies { id }", "__typename", "auditoriums { id }", "movie(id: \"x\") { id }")).map(([n, f]) => ({ query: aliasBomb(n, f) })),
      fc.integer({ min: 1, max: 40 }).map((k) => ({ query: fragmentBomb(k) })),
      fc.integer({ min: 1, max: 1_500 }).map((n) => ({ query: `{ movies ${"@include(if: true) ".repeat(n)} { id } }` })),
      fc.integer({ min: 1, max: 1_500 }).map((n) => ({ query: `{ movies { ${"title ".repeat(n)} } }` })),
      fc.integer({ min: 1, max: 30 }).map((n) => ({ query: Array.from({ length: n }, (_, i) => `query Q${i} { movies { id } }`).join(" "), operationName: `Q${n - 1}` })),
    ),
  );
  const oddEnvelopes = json(
    "odd request envelopes",
    fc.oneof(
      fc.jsonValue(),
      fc.record({ query: anyValue, variables: anyValue, operationName: anyValue, extensions: anyValue }, { requiredKeys: [] }),
      fc.record({ extensions: fc.record({ persistedQuery: fc.record({ version: fc.oneof(fc.constant(1), anyValue), sha256Hash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), text) }) }) }),
      fc.array(fc.record({ query: fc.constantFrom(...docs.map((d) => d.query)) }), { minLength: 0, maxLength: 5 }),
    ),
  );
  const rawBodies: fc.Arbitrary<Probe> = fc
    .record({
      body: fc.oneof(text, fc.uint8Array({ maxLength: 2_000 }), huge, fc.constantFrom('{"query":', '{"query":"{ movies { id } }"', "\u0000", '{"query":"{ movies { id } }","query":"{ x }"}', "[]", "null", "1e400")),
      contentType: fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=utf-16",
        "application/json; charset=nonsense",
        "application/graphql",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "text/plain",
        "",
      ),
      auth,
      preflight: fc.boolean(),
    })
    .map((r) => ({ kind: "raw", what: "raw body", ...r }));
  const gets: fc.Arbitrary<Probe> = fc
    .record({
      params: fc.record({ query: fc.oneof(fc.constantFrom(...docs.map((d) => d.query)), text.map((s) => s.slice(0, 2_000))), variables: fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), text), operationName: text }, { requiredKeys: [] }),
      auth,
    })
    .map((r) => ({ kind: "get", what: "GET", ...r }));
  const book: fc.Arbitrary<Probe> = fc.record({
    kind: fc.constant("book" as const),
    seats: fc.oneof({ weight: 4, arbitrary: fc.uniqueArray(validSeat, { minLength: 1, maxLength: 4 }) }, { weight: 1, arbitrary: fc.array(seatLabel, { maxLength: 10 }) }),
    paymentToken: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("tok_visa", "tok_mastercard", "tok_amex") }, { weight: 1, arbitrary: fc.constantFrom("tok_chargeDeclined", "tok_chargeDeclinedInsufficientFunds", "tok_unknown") }),
    customer: fc.integer({ min: 0, max: 4 }),
    // Mostly a fresh key; sometimes one reused by another request (the first outcome, or a refusal).
    key: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom("fuzz-key-0001", "fuzz-key-0002") }),
  });
  const cancel: fc.Arbitrary<Probe> = fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat(), customer: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant("admin" as const)) });

  return fc.oneof(
    { weight: 3, arbitrary: arbitraryQuery },
    { weight: 5, arbitrary: mutatedQuery },
    { weight: 4, arbitrary: wrongVariables },
    { weight: 3, arbitrary: wrongInputFields },
    { weight: 1, arbitrary: hugeVariables },
    { weight: 2, arbitrary: deep },
    { weight: 1, arbitrary: deepJson },
    { weight: 2, arbitrary: bombs },
    { weight: 2, arbitrary: oddEnvelopes },
    { weight: 2, arbitrary: rawBodies },
    { weight: 1, arbitrary: gets },
    { weight: 4, arbitrary: book },
    { weight: 2, arbitrary: cancel },
  );
}

// ---------------------------------------------------------------------------------------------
// Running a probe and judging the answer.

interface Stats {
  cases: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  fiveXx: number;
  failures: { probe: string; problem: string }[];
  slowestMs: number;
  bookings: number;
  bookOutcomes: Record<string, number>;
}

function describeProbe(p: Probe): string {
  const json = JSON.stringify(p, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  return json.length > 600 ? `${json.slice(0, 600)}… (${json.length} chars)` : json;
}

describe("fuzzing the gateway", () => {
  it(`answers ${RUNS} hostile requests without a 5xx, an untyped error or a crash, and leaves every invariant intact`, { timeout: Math.max(180_000, RUNS * 250 + 120_000) }, async () => {
    const started = Date.now();
    const s = await bookableScreening(t, { rows: 10, seatsPerRow: 20 });
    const customers = await Promise.all([0, 1, 2, 3, 4].map((n) => signToken(`fuzz-${n}`, "customer")));
    const admin = await signToken("fuzz-staff", "admin");
    const expired = await signToken("fuzz-0", "customer", Math.floor(Date.now() / 1000) - 60);
    const internal = await signInternalToken({ id: "fuzz-staff", role: "admin" }, { ttlSeconds: 3_600 });
    const booked: { id: string; customer: number }[] = [];
    const stats: Stats = { cases: 0, byStatus: {}, byCode: {}, fiveXx: 0, failures: [], slowestMs: 0, bookings: 0, bookOutcomes: {} };

    const headersFor = (a: Auth): Record<string, string> => ({ ...(a.forwardedFor ? { "x-forwarded-for": a.forwardedFor } : {}), ...identityOf(a) });
    const identityOf = (a: Auth): Record<string, string> => {
      switch (a.kind) {
        case "customer":
          return { authorization: `Bearer ${customers[a.n]}` };
        case "admin":
          return { authorization: `Bearer ${admin}` };
        case "expired":
          return { authorization: `Bearer ${expired}` };
        case "internal": // an internal identity sent to the gateway is ignored (and must not help)
          return { [INTERNAL_HEADER]: internal };
        case "header":
          return { authorization: a.value };
        default:
          return {};
      }
    };
    const RESERVE = `mutation ($i: ReserveInput!) { reserve(input: $i) { id status } }`;
    const CANCEL = `mutation ($id: ID!) { cancelReservation(id: $id) { id status } }`;

    async function send(p: Probe): Promise<Response> {
      const url = t.stack.gatewayUrl;
      const preflight: Record<string, string> = "preflight" in p && p.preflight ? { "apollo-require-preflight": "true" } : {};
      switch (p.kind) {
        case "json":
          return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...preflight, ...headersFor(p.auth) }, body: JSON.stringify(p.body) ?? "null" });
        case "raw":
          return fetch(url, { method: "POST", headers: { ...(p.contentType ? { "content-type": p.contentType } : ({} as Record<string, string>)), ...preflight, ...headersFor(p.auth) }, body: typeof p.body === "string" ? p.body : Buffer.from(p.body) });
        case "get": {
          const u = new URL(url);
          for (const [k, v] of Object.entries(p.params)) u.searchParams.set(k, v);
          return fetch(u, { headers: { "apollo-require-preflight": "true", ...headersFor(p.auth) } });
        }
        case "book":
          return fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${customers[p.customer]}`, "x-forwarded-for": `10.0.0.${p.customer + 1}` },
            body: JSON.stringify({ query: RESERVE, variables: { i: { screeningId: s.id, seats: p.seats, paymentToken: p.paymentToken, idempotencyKey: p.key ?? randomUUID() } } }),
          });
        case "cancel": {
          const target = booked.length ? booked[p.pick % booked.length]!.id : randomUUID();
          const token = p.customer === "admin" ? admin : customers[p.customer];
          return fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query: CANCEL, variables: { id: target } }) });
        }
      }
    }

    async function judge(p: Probe): Promise<string | undefined> {
      const t0 = performance.now();
      let res: Response;
      try {
        res = await send(p);
      } catch (err) {
        return `request failed: ${(err as Error).message} ${(err as { cause?: Error }).cause?.message ?? ""}`;
      }
      const body = await res.text();
      stats.slowestMs = Math.max(stats.slowestMs, performance.now() - t0);
      stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
      if (res.status >= 500) {
        stats.fiveXx++;
        return `HTTP ${res.status}: ${body.slice(0, 300)}`;
      }
      let parsed: { data?: any; errors?: { message?: string; extensions?: { code?: string } }[] };
      try {
        parsed = JSON.parse(body);
      } catch {
        return `HTTP ${res.status}, not JSON: ${body.slice(0, 200)}`;
      }
      for (const e of parsed.errors ?? []) {
        const code = String(e.extensions?.code ?? "none");
        stats.byCode[code] = (stats.byCode[code] ?? 0) + 1;
        if (!TYPED.has(code)) return `HTTP ${res.status}, error without a client code (${code}): ${e.message}`;
      }
      if (res.status === 429 && !/^\d+$/.test(res.headers.get("retry-after") ?? "")) return "429 without Retry-After";
      if (p.kind === "book") {
        const outcome = parsed.data?.reserve?.status ?? String(parsed.errors?.[0]?.extensions?.code ?? res.status);
        stats.bookOutcomes[outcome] = (stats.bookOutcomes[outcome] ?? 0) + 1;
      }
      if (p.kind === "book" && parsed.data?.reserve?.status === "CONFIRMED") {
        stats.bookings++;
        booked.push({ id: parsed.data.reserve.id, customer: p.customer });
      }
      return undefined;
    }

    await fc.assert(
      fc.asyncProperty(probes(s.id), async (p) => {
        stats.cases++;
        const problem = await judge(p);
        if (problem) stats.failures.push({ probe: describeProbe(p), problem });
        return true; // recorded, not shrunk: the run goes on so the counts cover every case
      }),
      { numRuns: RUNS, seed: SEED, verbose: false },
    );

    // Every process still answers; none logged a fatal error.
    const dead: string[] = [];
    for (const name of PROCESS_NAMES) {
      const live = await fetch(`http://127.0.0.1:${t.stack.ports[name]}/health/live`).then((r) => r.ok, () => false);
      if (!live) dead.push(name);
    }
    const fatal = PROCESS_NAMES.filter((name) => /"level":60|uncaughtException|unhandledRejection|FATAL ERROR|heap out of memory/i.test(t.stack.logs(name)));

    // Once quiet, every invariant across the databases holds.
    const violations = await settle(t.stack);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    console.log(
      `fuzz: ${stats.cases} cases in ${seconds} s (seed ${SEED ?? "random"}); 5xx ${stats.fiveXx}; failures ${stats.failures.length}; crashed ${dead.length}; fatal logs ${fatal.length}; ` +
        `invariant violations ${violations.length}; bookings ${stats.bookings}; slowest ${Math.round(stats.slowestMs)} ms\n` +
        `  by status ${JSON.stringify(stats.byStatus)}\n  by code ${JSON.stringify(stats.byCode)}\n  bookings ${JSON.stringify(stats.bookOutcomes)}` +
        stats.failures.slice(0, 10).map((f) => `\n  FAILED ${f.problem}\n    ${f.probe}`).join("") +
        violations.slice(0, 10).map((v) => `\n  VIOLATION ${v.invariant}: ${v.detail}`).join(""),
    );
    expect(stats.failures.slice(0, 5)).toEqual([]);
    expect(dead).toEqual([]);
    expect(fatal).toEqual([]);
    expect(violations).toEqual([]);
    expect(stats.cases).toBe(RUNS);
  });
});
