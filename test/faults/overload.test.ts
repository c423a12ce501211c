// Overload: more bookings offered than the system can make. After a warm-up, the capacity is measured
// (a closed loop of customers booking fresh seats as fast as answers come); then bookings are offered
// open-loop at three times that rate for 20 s, and the capacity is measured again after it.
// Admission control (the gateway's front door, its limit per subgraph, the saga's own) must refuse
// the excess at once, typed and with Retry-After, instead of queueing it for seconds: goodput ≥ 90%
// of capacity, refusals p99 ≤ 100 ms, accepted p99 ≤ 1 s, and the invariants hold afterwards (see the bounds below for what this machine achieves).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestStack } from "../harness.ts";
import { finishCase, startFaultStack } from "./common.ts";
import { classify, freshSeats, type LoadStats, type Outcome, type SeatPool } from "./load.ts";
import { cpuMsOf, machineBusyMs, stackCpuMs } from "../../bench/proc.ts";

const RESERVE = `mutation ($i: ReserveInput!) { reserve(input: $i) { id status } }`;
const OFFERED_SECONDS = 20;
const ARRIVAL_TICK_MS = 10;
/** Seats for a whole attempt at up to ~170 bookings/s: warm-up, before, 3× for 20 s, after. */
const POOL_SEATS = 18_000;
const CUSTOMERS = 200;
const CLOSED_CUSTOMERS = Number(process.env.OVERLOAD_CLOSED_CUSTOMERS ?? 32);

let t: TestStack;
let seats: SeatPool;
let tokens: string[];
let client: Pool;
beforeAll(async () => {
  t = await startFaultStack();
  client = new Pool(new URL(t.stack.gatewayUrl).origin, { connections: 512, keepAliveTimeout: 30_000 });
  // 3,600 seats for the closed loop; the open loop's are added once capacity is known (each offered once).
  seats = await freshSeats(t, 6);
  tokens = await Promise.all(Array.from({ length: CUSTOMERS }, (_, n) => t.tokenFor(`overload-${n}`, "customer")));
});
afterAll(async () => {
  await client?.close();
  await t?.cleanup();
});

interface Answer {
  outcome: Outcome;
  ms: number;
  retryAfter: string | null;
  /** Where and why a refusal came from (extensions.dependency / serviceName, reason, breaker). */
  cause?: string;
  id?: string;
  status?: string;
  customer: number;
  sentAt: number;
}

/** One booking of one fresh seat by customer `n`, timed. */
async function book(n: number): Promise<Answer> {
  const t0 = Date.now();
  try {
    const want = seats.take(1);
    if (!want) throw new Error("the seat pool ran out: the overload test needs more screenings for this machine's capacity");
    // undici's request API on kept-alive connections: the load generator shares the two cores with
    // the system under test, and fetch costs it several times the CPU per request.
    const res = await client.request({
      method: "POST",
      path: "/graphql",
      headers: { "content-type": "application/json", authorization: `Bearer ${tokens[n % CUSTOMERS]}` },
      body: JSON.stringify({ query: RESERVE, variables: { i: { screeningId: want.screeningId, seats: want.seats, paymentToken: "tok_visa", idempotencyKey: randomUUID() } } }),
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const body = (await res.body.json().catch(() => undefined)) as any;
    const ext = body?.errors?.[0]?.extensions;
    const cause = ext && [ext.dependency ?? ext.serviceName, ext.reason ?? (ext.breaker && `breaker ${ext.breaker}`)].filter(Boolean).join(" ");
    const retryAfter = res.headers["retry-after"];
    return { outcome: classify(res.statusCode, body), ms: Date.now() - t0, retryAfter: typeof retryAfter === "string" ? retryAfter : null, cause, id: body?.data?.reserve?.id, status: body?.data?.reserve?.status, customer: n, sentAt: t0 };
  } catch (err) {
    return { outcome: classify(0, undefined, (err as Error).message), ms: Date.now() - t0, retryAfter: null, customer: n, sentAt: t0 };
  }
}

const percentile = (q: number) => (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
};
const p50 = percentile(0.5);
const p99 = percentile(0.99);

/** CPU time (ms) so far: each process of the stack, this one (the load generator), PostgreSQL, the whole machine. */
function cpuNow(): Record<string, number> {
  const own = process.cpuUsage();
  return {
    ...stackCpuMs(t.stack),
    "load generator": (own.user + own.system) / 1000,
    postgres: cpuMsOf("postgres"),
    machine: machineBusyMs(),
  };
}
/** CPU ms per booking between two cpuNow()s, per process: where a phase's bookings cost more. */
const cpuPerBooking = (from: Record<string, number>, to: Record<string, number>, bookings: number) =>
  Object.entries(to)
    .map(([name, ms]) => `${name} ${((ms - (from[name] ?? 0)) / Math.max(1, bookings)).toFixed(1)}`)
    .join(", ");

/** The answers as the fault suite's table and invariant check take them. */
function asLoadStats(answers: Answer[], durationMs: number): LoadStats {
  const ok = answers.filter((a) => a.outcome.kind === "ok");
  const typed = answers.filter((a) => a.outcome.kind === "typed");
  const other = answers.filter((a) => a.outcome.kind === "other");
  const codes: Record<string, number> = {};
  for (const a of typed) if (a.outcome.kind === "typed") codes[a.outcome.code] = (codes[a.outcome.code] ?? 0) + 1;
  const sorted = answers.map((a) => a.ms).sort((a, b) => a - b);
  const empty = { requests: 0, successes: 0, typed: 0, other: 0 };
  return {
    requests: answers.length,
    successes: ok.length,
    typed: typed.length,
    other: other.length,
    codes,
    byOp: { reserve: { requests: answers.length, successes: ok.length, typed: typed.length, other: other.length }, cancel: empty, read: empty },
    otherSamples: other.slice(0, 12).map((a) => (a.outcome.kind === "other" ? a.outcome.reason : "")),
    reservationIds: ok.map((a) => a.id!),
    confirmedIds: ok.filter((a) => a.status === "CONFIRMED").map((a) => a.id!),
    cancelledIds: [],
    ownerOf: Object.fromEntries(ok.map((a) => [a.id!, `overload-${a.customer % CUSTOMERS}`])),
    p50Ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
    p99Ms: p99(sorted),
    maxMsByOp: { reserve: sorted.at(-1) ?? 0, cancel: 0, read: 0 },
    durationMs,
    seatsRanOutAtMs: null, // `book` throws instead
  };
}

/**
 * Capacity: a closed loop of CLOSED_CUSTOMERS (each books again as soon as answered; after a
 * refusal it waits as Retry-After says) for `seconds` after 2 s of ramp: bookings per second. Enough
 * customers to saturate the system (8 measured its latency instead: ~45/s where the system makes ~90).
 */
async function closedLoopCapacity(when: string, seconds = 8): Promise<number> {
  const closed: Answer[] = [];
  let cpuFrom = cpuNow();
  setTimeout(() => (cpuFrom = cpuNow()), 2_000);
  const warmEnd = Date.now() + 2_000;
  const closedUntil = warmEnd + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLOSED_CUSTOMERS }, async (_, n) => {
      while (Date.now() < closedUntil) {
        const a = await book(n);
        if (Date.now() >= warmEnd && Date.now() < closedUntil) closed.push(a);
        if (a.outcome.kind !== "ok") await sleep(1000 * Number(a.retryAfter ?? 1));
      }
    }),
  );
  const bookings = closed.filter((a) => a.outcome.kind === "ok").length;
  console.log(`closed loop (${when}): ${closed.length} answers, ${bookings} bookings, p99 ${p99(closed.map((a) => a.ms))} ms; CPU ms per booking: ${cpuPerBooking(cpuFrom, cpuNow(), bookings)}`);
  return bookings / seconds;
}

/**
 * Unmeasured warm-up: closed loops of 5 s until two in a row make bookings within 10% of each other
 * (at least three, at most seven). A fresh stack's CPU per booking falls by half or more over its
 * first 30–60 s under load (JIT, pools, caches): a capacity measured cold made the test offer 1.5×
 * the warm capacity instead of 3× (75/s where the same stack made 145/s warm), and one measured half
 * warm compared the goodput with a mean of 84 before and 151 after.
 */
async function warmUp(): Promise<void> {
  const rates: number[] = [];
  const steady = () => rates.length >= 3 && Math.abs(rates.at(-1)! - rates.at(-2)!) <= 0.1 * Math.max(rates.at(-1)!, rates.at(-2)!);
  while (!steady() && rates.length < 7) {
    if (seats.left() < 1_800) await seats.topUp(t, 1_800);
    rates.push(await closedLoopCapacity(`warm-up ${rates.length + 1}`, 5));
  }
}

describe("overload", () => {
  // Measured again when an attempt misses a target, up to three attempts (every target, on one
  // attempt's own figures; each attempt prints them): on two shared cores the machine's speed drifts
  // between the phases of one attempt (CPU per booking 20.8 ms before, 17.8 ms after), which alone
  // can put an unchanged system's goodput on either side of 90% (one attempt in four on 2026-12-06;
  // a limit that collapsed, as before that day, missed in most). Each phase prints its CPU per
  // booking per process, so an attempt whose phases were not alike says so.
  it("offered 3× capacity for 20 s: goodput ≥ 90% of capacity, refusals at once, accepted within a second", { retry: 2 }, async () => {
    // Every phase's seats, before the first, so the phases book from the same screenings and none
    // starts right after new ones were made: with ten screenings created just before the open loop,
    // every process behind the gateway spent 20–50% more CPU per booking in it than in the closed
    // loops (their seat maps, projections and statistics being built meanwhile, most likely); with
    // the pool made first, the phases cost alike (BENCHMARKS.md). Each attempt tops up.
    const toppingUp = Date.now();
    await seats.topUp(t, POOL_SEATS);
    console.log(`seat pool: ${seats.left()} seats, topped up in ${Date.now() - toppingUp} ms`);
    await warmUp();
    const before = await closedLoopCapacity("before");
    expect(before, "bookings per second with a closed loop").toBeGreaterThan(0);
    // Offered: 3× capacity, open loop (arrivals do not wait for answers), for 20 s; one fresh seat
    // each, so the pool grows to what this machine's capacity asks for (Node 24 books faster).
    const rate = 3 * before;
    const total = Math.round(rate * OFFERED_SECONDS);
    await seats.topUp(t, total + 600);
    await sleep(2_000); // let the limits recover from the closed loop's tail
    const started = Date.now();
    const cpuFrom = cpuNow();
    // The front door's limit, as /health/ready reports it, four times a second.
    const limits: number[] = [];
    const sampler = setInterval(() => {
      void fetch(new URL("/health/ready", t.stack.gatewayUrl))
        .then((r) => r.json())
        .then((health: any) => limits.push(health.reserve.limit))
        .catch(() => {});
    }, 250);
    const pending: Promise<Answer>[] = [];
    for (let i = 0; i < total; i++) {
      const at = started + (i * 1000) / rate;
      // Arrivals due within the next 10 ms go out now: a timer per 10 ms, not one per arrival (the load
      // generator shares the cores it loads). `at` is fractional: never a negative timeout.
      const due = Math.ceil(at - Date.now());
      if (due >= ARRIVAL_TICK_MS) await sleep(due);
      pending.push(book(i));
    }
    const answers = await Promise.all(pending);
    const durationMs = Date.now() - started;
    clearInterval(sampler);
    console.log(
      `open loop: CPU ms per booking: ${cpuPerBooking(cpuFrom, cpuNow(), answers.filter((a) => a.outcome.kind === "ok").length)}; front door's limit: mean ${(limits.reduce((sum, l) => sum + l, 0) / Math.max(1, limits.length)).toFixed(1)}, min ${Math.min(...limits)} (${limits.length} samples)`,
    );
    // The capacity again, right after: this VM's speed drifts within a run (66–115 bookings/s in
    // consecutive runs), so goodput is compared with the mean of the measurements on either side.
    await seats.topUp(t, Math.ceil(before * 15) + 600);
    await sleep(2_000);
    const after = await closedLoopCapacity("after");
    const capacity = (before + after) / 2;

    const accepted = answers.filter((a) => a.outcome.kind === "ok");
    const refused = answers.filter((a) => a.outcome.kind === "typed");
    const goodput = accepted.length / OFFERED_SECONDS;
    const figures = {
      capacityPerSecond: Number(capacity.toFixed(1)),
      capacityBeforeAfter: [Number(before.toFixed(1)), Number(after.toFixed(1))],
      offeredPerSecond: Number(rate.toFixed(1)),
      offered: total,
      accepted: accepted.length,
      refused: refused.length,
      goodputPerSecond: Number(goodput.toFixed(1)),
      goodputShare: Number((goodput / capacity).toFixed(2)),
      refusalP50Ms: p50(refused.map((a) => a.ms)),
      refusalP99Ms: p99(refused.map((a) => a.ms)),
      acceptedP50Ms: p50(accepted.map((a) => a.ms)),
      acceptedP99Ms: p99(accepted.map((a) => a.ms)),
      refusalsWithRetryAfter: refused.filter((a) => a.retryAfter !== null).length,
      refusalCauses: refused.reduce<Record<string, number>>((n, a) => ({ ...n, [a.cause ?? "?"]: (n[a.cause ?? "?"] ?? 0) + 1 }), {}),
    };
    console.log(`overload figures: ${JSON.stringify(figures)}`);
    const slow = refused.filter((a) => a.ms > 100);
    const slowBy = (key: (a: Answer) => string) => slow.reduce<Record<string, number>>((n, a) => ({ ...n, [key(a)]: (n[key(a)] ?? 0) + 1 }), {});
    console.log(
      `refusals over 100 ms (${slow.length}): by cause ${JSON.stringify(slowBy((a) => a.cause ?? "?"))}, by half-second sent ${JSON.stringify(slowBy((a) => `+${(Math.floor((a.sentAt - started) / 500) / 2).toFixed(1)}s`))}; first: ${slow
        .slice(0, 30)
        .map((a) => `+${((a.sentAt - started) / 1000).toFixed(2)}s ${a.ms}ms ${a.cause}`)
        .join(", ")}`,
    );
    await finishCase(t.stack, "overload: 3× capacity for 20 s", asLoadStats(answers, durationMs), {
      notes: `capacity ${figures.capacityPerSecond}/s, offered ${figures.offeredPerSecond}/s; goodput ${figures.goodputPerSecond}/s (${Math.round(figures.goodputShare * 100)}%); refusals p99 ${figures.refusalP99Ms} ms, accepted p99 ${figures.acceptedP99Ms} ms`,
    });
    expect.soft(refused.length, "the excess was refused").toBeGreaterThan(0);
    expect.soft(figures.goodputShare, "goodput as a share of capacity").toBeGreaterThanOrEqual(0.9);
    // The issue's targets. Refusals were slow (p99 0.2–1.8 s) while the gateway let in more
    // bookings than the saga could take at once: the saga refused the rest from a busy process, and
    // every refusal cost the gateway Apollo's whole pipeline on the shared cores. Since the gateway
    // admits `reserve` at its front door (gateway/src/front-door.ts), p99 59–88 ms (refusals) and
    // 316–462 ms (accepted) over six runs on Node 20 and 24, but over 100 ms in bunches when the
    // gateway waited for a core behind the busy subgraphs; with those at a lower priority
    // (scripts/lib/stack.ts, STACK_BACKEND_NICE) refusals p99 28–36 ms.
    expect.soft(figures.refusalP99Ms, "refusals p99 (ms)").toBeLessThanOrEqual(100);
    expect.soft(figures.acceptedP99Ms, "accepted p99 (ms)").toBeLessThanOrEqual(1000);
    expect.soft(figures.refusalsWithRetryAfter, "refusals saying when to come back (Retry-After)").toBe(refused.length);
  });
});
