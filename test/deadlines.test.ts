// Deadlines on every hop (issue 13): a frozen subgraph (SIGSTOP) is answered
// typed within the operation's deadline and, once the gateway's breaker is open, at once, while
// queries that do not need it go on; a spent budget is refused by a subgraph without doing the
// work; a `reserve` whose deadline passes mid-saga still ends in an outcome a repeat gets back.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { internalIdentityHeaders } from "@cinema/platform/auth";
import { DEADLINE_HEADER } from "@cinema/platform/deadline";
import { BUSY_MESSAGE } from "@cinema/platform/errors";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, reserve, seatStatuses } from "./fixtures.ts";

const QUERY_DEADLINE_MS = 1_000;
const RESERVE_DEADLINE_MS = 3_000;
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({
    envFor: {
      gateway: {
        DEADLINE_QUERY_MS: String(QUERY_DEADLINE_MS),
        DEADLINE_RESERVE_MS: String(RESERVE_DEADLINE_MS),
        MYPAGE_BREAKER_VOLUME: "3",
        MYPAGE_BREAKER_RESET_MS: "2000",
      },
    },
  });
});
afterAll(async () => {
  await t?.cleanup();
});

const MY_PAGE = `query { myReservations(first: 5) { nodes { id } } }`;
const PROGRAMME = `query { movies { id title } }`;

/** A whole HTTP answer from the gateway, timed, with its Retry-After header. */
async function timed(query: string, token?: string) {
  const started = Date.now();
  const res = await fetch(t.stack.gatewayUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = await res.json();
  return { ms: Date.now() - started, status: res.status, retryAfter: res.headers.get("retry-after"), body };
}

/** SIGSTOP a subgraph for the length of `fn`, SIGCONT after it, however it ends. */
async function frozen<T>(name: "mypage" | "payment", fn: () => Promise<T>): Promise<T> {
  const pid = t.stack.pid(name)!;
  process.kill(pid, "SIGSTOP");
  try {
    return await fn();
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

describe("a frozen subgraph behind the gateway", () => {
  it("is answered SERVICE_UNAVAILABLE within the deadline, then at once by the open breaker; other queries go on", async () => {
    const token = await t.tokenFor("frozen-reader", "customer");
    expect((await timed(MY_PAGE, token)).body.errors).toBeUndefined();
    await frozen("mypage", async () => {
      const first = await timed(MY_PAGE, token);
      expect(first.body.errors?.[0]?.extensions?.code, JSON.stringify(first.body)).toBe("SERVICE_UNAVAILABLE");
      expect(first.body.errors[0].message).toBe(BUSY_MESSAGE);
      expect(first.ms).toBeGreaterThanOrEqual(QUERY_DEADLINE_MS - 50);
      expect(first.ms).toBeLessThan(QUERY_DEADLINE_MS + 1_000);
      expect(first.retryAfter).toMatch(/^\d+$/);
      // The programme does not need my page: it answers as usual meanwhile.
      const programme = await timed(PROGRAMME);
      expect(programme.body.errors).toBeUndefined();
      expect(programme.ms).toBeLessThan(QUERY_DEADLINE_MS);
      // Two more timeouts reach the breaker's volume: from then on it refuses without waiting.
      for (let i = 0; i < 2; i++) await timed(MY_PAGE, token);
      const open = await timed(MY_PAGE, token);
      expect(open.body.errors?.[0]?.extensions).toMatchObject({ code: "SERVICE_UNAVAILABLE", breaker: "open" });
      expect(open.ms).toBeLessThan(300);
      expect(Number(open.retryAfter)).toBeGreaterThanOrEqual(1);
      const health = await (await fetch(`http://127.0.0.1:${t.stack.ports.gateway}/health/ready`)).json();
      expect(health.subgraphs.mypage.breaker).toBe("open");
    });
    // Resumed: the breaker lets a trial call through after its reset time, and closes.
    await waitFor(async () => (await timed(MY_PAGE, token)).body.errors === undefined, { timeoutMs: 10_000, intervalMs: 250 });
  });
});

describe("a subgraph called with a budget", () => {
  const call = async (budget: string) =>
    fetch(t.stack.urls.movie, {
      method: "POST",
      headers: { "content-type": "application/json", [DEADLINE_HEADER]: budget, ...(await internalIdentityHeaders({ id: "svc", role: "service" })) },
      body: JSON.stringify({ query: "{ movies { id } }" }),
    });

  it("refuses a spent budget at once, typed with Retry-After, and serves one that is left", async () => {
    const spent = await call("0");
    expect(spent.status).toBe(503);
    expect(spent.headers.get("retry-after")).toBe("1");
    const body = await spent.json();
    expect(body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
    expect(body.errors[0].message).toBe(BUSY_MESSAGE);
    const left = await call("2000");
    expect(left.status).toBe(200);
    expect((await left.json()).errors).toBeUndefined();
  });
});

describe("a reserve whose deadline passes mid-saga", () => {
  it("is answered at its deadline; the saga still ends (compensated), and a repeat with the same key gets that outcome", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 4 });
    const idempotencyKey = randomUUID();
    const input = { screeningId: s.id, seats: ["A-1"], idempotencyKey };
    const started = Date.now();
    // Payment hangs past the reserve deadline (3 s) and answers again a moment later.
    const first = await frozen("payment", async () => {
      const answer = await reserve(t, "late-lee", input);
      await sleep(1_000);
      return answer;
    });
    const tookMs = Date.now() - started - 1_000;
    expect(first.errors?.[0]?.extensions?.code, JSON.stringify(first.errors)).toBe("SERVICE_UNAVAILABLE");
    expect(tookMs).toBeLessThan(RESERVE_DEADLINE_MS + 1_000);

    // The repeat waits for the saga's end and returns it: a typed refusal, not "still processing".
    const repeat = await reserve(t, "late-lee", input);
    expect(repeat.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(repeat.errors?.[0]?.message).not.toMatch(/still being processed/);
    const [booking] = await t.sql("reservation", `SELECT id::text, status FROM reservation WHERE customer_id = 'late-lee'`);
    expect(booking.status).toBe("FAILED");
    // Nothing charged for it, and the seat is free again.
    await waitFor(async () => (await t.sql("payment", `SELECT count(*)::int AS n FROM payment WHERE reservation_id = $1 AND status = 'CAPTURED'`, [booking.id]))[0].n === 0, { timeoutMs: 15_000, intervalMs: 500 });
    await waitFor(async () => (await seatStatuses(t, s.id))["A-1"] === "AVAILABLE", { timeoutMs: 15_000, intervalMs: 500 });
  });
});
