// Bounded load through the gateway over HTTP: a few virtual customers booking fresh seats of
// several screenings, cancelling some of their bookings and reading "my page", while a fault is
// injected. Every answer is classified as a success, a typed refusal (a GraphQL error with a code
// a client can switch on) or another error (HTTP 5xx, network error, no code, INTERNAL_SERVER_ERROR).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { REFUSAL_CODES } from "@cinema/platform/errors";
import type { TestStack } from "../harness.ts";
import { bookableScreening } from "../fixtures.ts";

/** The README's refusal codes: anything else (or none) is an untyped error. */
export const TYPED_CODES = REFUSAL_CODES;

export type Op = "reserve" | "cancel" | "read";
export type Outcome = { kind: "ok" } | { kind: "typed"; code: string } | { kind: "other"; reason: string };

export interface LoadStats {
  requests: number;
  successes: number;
  typed: number;
  other: number;
  /** Typed refusals by code. */
  codes: Record<string, number>;
  byOp: Record<Op, { requests: number; successes: number; typed: number; other: number }>;
  /** The first few untyped errors, with the time they happened (ms since the load started). */
  otherSamples: string[];
  reservationIds: string[];
  confirmedIds: string[];
  cancelledIds: string[];
  /** Reservation id → the customer who booked it. */
  ownerOf: Record<string, string>;
  p50Ms: number;
  p99Ms: number;
  /** The slowest answer of each kind of request (ms). */
  maxMsByOp: Record<Op, number>;
  durationMs: number;
  /** When a customer first wanted to book and the seat pool was empty (ms since the load started): the rest of the case booked nothing. */
  seatsRanOutAtMs: number | null;
}

export interface ScreeningSpec {
  id: string;
  rows: number;
  seatsPerRow: number;
}

export interface LoadOptions {
  /** Where the seats come from; share one pool between loads on the same screenings. */
  seats: SeatPool;
  /** Virtual customers (concurrent loops). Default 6. */
  customers?: number;
  durationMs?: number;
  /** Hard cap on requests across all customers. */
  maxRequests?: number;
  /** Share of operations that are reserve / cancel (of one's own confirmed booking: half the time one seat of it, when it has several); the rest read my page. */
  reserveShare?: number;
  cancelShare?: number;
  /** Pause between one customer's requests; after a refusal or an error it waits `backoffMs` instead. */
  thinkMs?: number;
  backoffMs?: number;
  /** Client-side deadline per request (counts as a network error when hit). */
  requestTimeoutMs?: number;
  /** Customer ids are `${customerPrefix}${n}`. */
  customerPrefix?: string;
}

export interface RunningLoad {
  /** Resolves when every customer loop has ended (deadline or request cap). */
  done: Promise<LoadStats>;
  /** Requests sent so far. */
  sent(): number;
  /** Ends the load early (each customer finishes its current request). */
  stop(): void;
}

const RESERVE = `mutation ($i: ReserveInput!) { reserve(input: $i) { id status seats amountCents } }`;
const CANCEL = `mutation ($id: ID!) { cancelReservation(id: $id) { id status } }`;
const CANCEL_SEATS = `mutation ($id: ID!, $s: [String!]!) { cancelSeats(id: $id, seats: $s) { id status seats } }`;
const READ = `query { myReservations(first: 10) { nodes { id status seats } } }`;

/** A pool of the seats of `count` fresh screenings of rows × seatsPerRow, created by staff through the gateway. */
export async function freshSeats(t: TestStack, count: number, rows = 20, seatsPerRow = 30): Promise<SeatPool> {
  const out: ScreeningSpec[] = [];
  for (let i = 0; i < count; i++) out.push({ ...(await bookableScreening(t, { rows, seatsPerRow, priceCents: 9000 + 1000 * i })), rows, seatsPerRow });
  return new SeatPool(out);
}

/** Hands out seats nobody asked for before, one to three at a time from one screening. */
export class SeatPool {
  private next: { screeningId: string; labels: string[] }[] = [];
  readonly screenings: ScreeningSpec[] = [];
  constructor(screenings: ScreeningSpec[]) {
    this.add(screenings);
  }
  private add(screenings: ScreeningSpec[]) {
    this.screenings.push(...screenings);
    this.next.push(
      ...screenings.map((s) => ({
        screeningId: s.id,
        labels: Array.from({ length: s.rows * s.seatsPerRow }, (_, i) => `${String.fromCharCode(65 + Math.floor(i / s.seatsPerRow))}-${(i % s.seatsPerRow) + 1}`),
      })),
    );
  }
  /** Adds fresh screenings until at least `minimum` seats are left: a faster build books more per case. */
  async topUp(t: TestStack, minimum: number): Promise<void> {
    while (this.left() < minimum) this.add((await freshSeats(t, 1)).screenings);
  }
  /** Seats not handed out yet. */
  left(): number {
    return this.next.reduce((n, s) => n + s.labels.length, 0);
  }
  take(n: number): { screeningId: string; seats: string[] } | undefined {
    const open = this.next.filter((s) => s.labels.length >= n);
    if (!open.length) return undefined;
    const pick = open[Math.floor(Math.random() * open.length)]!;
    return { screeningId: pick.screeningId, seats: pick.labels.splice(0, n) };
  }
}

export function classify(status: number, body: any, networkError?: string): Outcome {
  if (networkError) return { kind: "other", reason: `network: ${networkError}` };
  if (status >= 500) return { kind: "other", reason: `HTTP ${status}: ${JSON.stringify(body?.errors?.[0] ?? body).slice(0, 300)}` };
  const errors: any[] = body?.errors ?? [];
  if (errors.length) {
    const untyped = errors.find((e) => !TYPED_CODES.has(String(e?.extensions?.code ?? "")));
    if (untyped) return { kind: "other", reason: `HTTP ${status} ${untyped.extensions?.code ?? "no code"}: ${String(untyped.message).slice(0, 200)}` };
    return { kind: "typed", code: String(errors[0].extensions.code) };
  }
  if (status !== 200 || !body?.data) return { kind: "other", reason: `HTTP ${status} without data` };
  return { kind: "ok" };
}

/** Starts the load; it runs in the background until `done`. */
export function startLoad(t: TestStack, opts: LoadOptions): RunningLoad {
  const customers = opts.customers ?? 6;
  const durationMs = opts.durationMs ?? 15_000;
  const maxRequests = opts.maxRequests ?? 1_500;
  const reserveShare = opts.reserveShare ?? 0.7;
  const cancelShare = opts.cancelShare ?? 0.1;
  const thinkMs = opts.thinkMs ?? 50;
  const backoffMs = opts.backoffMs ?? 500;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  const prefix = opts.customerPrefix ?? `v${randomUUID().slice(0, 6)}-`;
  const pool = opts.seats;
  const started = Date.now();
  let deadline = started + durationMs;
  const latencies: number[] = [];
  const stats: LoadStats = {
    requests: 0,
    successes: 0,
    typed: 0,
    other: 0,
    codes: {},
    byOp: { reserve: { requests: 0, successes: 0, typed: 0, other: 0 }, cancel: { requests: 0, successes: 0, typed: 0, other: 0 }, read: { requests: 0, successes: 0, typed: 0, other: 0 } },
    otherSamples: [],
    reservationIds: [],
    confirmedIds: [],
    cancelledIds: [],
    ownerOf: {},
    p50Ms: 0,
    p99Ms: 0,
    maxMsByOp: { reserve: 0, cancel: 0, read: 0 },
    durationMs: 0,
    seatsRanOutAtMs: null,
  };

  const send = async (op: Op, token: string, query: string, variables: Record<string, unknown>) => {
    stats.requests++;
    stats.byOp[op].requests++;
    const t0 = Date.now();
    let status = 0;
    let body: any;
    let networkError: string | undefined;
    try {
      const res = await fetch(t.stack.gatewayUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      status = res.status;
      const text = await res.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
      }
    } catch (err) {
      networkError = `${(err as Error).name}: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ""}`;
    }
    latencies.push(Date.now() - t0);
    stats.maxMsByOp[op] = Math.max(stats.maxMsByOp[op], Date.now() - t0);
    const outcome = classify(status, body, networkError);
    if (outcome.kind === "ok") {
      stats.successes++;
      stats.byOp[op].successes++;
    } else if (outcome.kind === "typed") {
      stats.typed++;
      stats.byOp[op].typed++;
      stats.codes[outcome.code] = (stats.codes[outcome.code] ?? 0) + 1;
    } else {
      stats.other++;
      stats.byOp[op].other++;
      if (stats.otherSamples.length < 12) stats.otherSamples.push(`+${((t0 - started) / 1000).toFixed(1)}s ${op}: ${outcome.reason}`);
    }
    return { outcome, data: body?.data };
  };

  const customer = async (n: number) => {
    const customerId = `${prefix}${n}`;
    const token = await t.tokenFor(customerId, "customer");
    const mine: { id: string; seats: string[] }[] = [];
    while (Date.now() < deadline && stats.requests < maxRequests) {
      const roll = Math.random();
      let outcome: Outcome;
      if (roll < cancelShare && mine.length) {
        const booking = mine[Math.floor(Math.random() * mine.length)]!;
        if (booking.seats.length > 1 && Math.random() < 0.5) {
          // One seat of it (a partial cancellation): the booking goes on with the rest.
          let data: any;
          ({ outcome, data } = await send("cancel", token, CANCEL_SEATS, { id: booking.id, s: [booking.seats.at(-1)] }));
          if (outcome.kind === "ok") booking.seats = data.cancelSeats.seats;
        } else {
          mine.splice(mine.indexOf(booking), 1);
          ({ outcome } = await send("cancel", token, CANCEL, { id: booking.id }));
          if (outcome.kind === "ok") stats.cancelledIds.push(booking.id);
        }
      } else if (roll < cancelShare + reserveShare && pool.left() > 0) {
        const want = pool.take(1 + Math.floor(Math.random() * 3)) ?? pool.take(1)!;
        let data: any;
        ({ outcome, data } = await send("reserve", token, RESERVE, {
          i: { screeningId: want.screeningId, seats: want.seats, paymentToken: "tok_visa", idempotencyKey: randomUUID() },
        }));
        if (outcome.kind === "ok") {
          stats.reservationIds.push(data.reserve.id);
          stats.ownerOf[data.reserve.id] = customerId;
          if (data.reserve.status === "CONFIRMED") {
            stats.confirmedIds.push(data.reserve.id);
            mine.push({ id: data.reserve.id, seats: data.reserve.seats });
          }
        }
      } else {
        if (roll < cancelShare + reserveShare && stats.seatsRanOutAtMs === null) stats.seatsRanOutAtMs = Date.now() - started;
        ({ outcome } = await send("read", token, READ, {}));
      }
      // A customer told "try again shortly" (or who got an error) waits a little longer.
      await sleep(outcome.kind === "ok" ? thinkMs : backoffMs);
    }
  };

  const done = Promise.all(Array.from({ length: customers }, (_, n) => customer(n))).then(() => {
    const sorted = [...latencies].sort((a, b) => a - b);
    stats.p50Ms = sorted[Math.floor(sorted.length * 0.5)] ?? 0;
    stats.p99Ms = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
    stats.durationMs = Date.now() - started;
    return stats;
  });
  return { done, sent: () => stats.requests, stop: () => void (deadline = Math.min(deadline, Date.now())) };
}
