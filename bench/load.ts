import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import { REFUSAL_CODES } from "@cinema/platform/errors";

export interface Outcome {
  /** "ok", a GraphQL error code (typed refusal), or "error" (5xx, network, untyped). */
  kind: string;
  ms: number;
  /** A refusal's Retry-After (extensions.retryAfterSeconds), in ms: the client waits that long, as the web app does. */
  retryAfterMs?: number;
}

export interface LoadResult {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  typedRefusals: number;
  otherErrors: number;
  refusals: Record<string, number>;
}

const TYPED = REFUSAL_CODES;

/** Keep-alive HTTP/1.1 connections to one origin, as many as there are virtual clients. */
export const poolFor = (url: string, connections: number) => new Pool(new URL(url).origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });

export async function postGraphQL(pool: Pool, url: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await pool.request({
      method: "POST",
      path: new URL(url).pathname,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify(body),
    });
    const json = (await res.body.json()) as { errors?: { extensions?: { code?: string; retryAfterSeconds?: number } }[] };
    const ms = performance.now() - started;
    if (res.statusCode >= 500) return { kind: "error", ms };
    const code = json.errors?.[0]?.extensions?.code;
    if (!json.errors?.length) return { kind: "ok", ms };
    const retryAfter = json.errors[0]?.extensions?.retryAfterSeconds;
    return { kind: code && TYPED.has(code) ? code : "error", ms, ...(typeof retryAfter === "number" && { retryAfterMs: retryAfter * 1000 }) };
  } catch {
    return { kind: "error", ms: performance.now() - started };
  }
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);

export function summarize(name: string, outcomes: Outcome[], seconds: number): LoadResult {
  const sorted = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const refusals: Record<string, number> = {};
  let ok = 0;
  let otherErrors = 0;
  for (const o of outcomes) {
    if (o.kind === "ok") ok++;
    else if (o.kind === "error") otherErrors++;
    else refusals[o.kind] = (refusals[o.kind] ?? 0) + 1;
  }
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    name,
    requests: outcomes.length,
    seconds: round(seconds),
    rps: round(outcomes.length / seconds),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    ok,
    typedRefusals: Object.values(refusals).reduce((a, b) => a + b, 0),
    otherErrors,
    refusals,
  };
}

interface LoopOptions {
  name: string;
  clients: number;
  seconds: number;
  maxRequests?: number;
  send: (i: number) => Promise<Outcome>;
}

/** The outcomes of a closed loop and how long it ran (s). */
async function loop(opts: Omit<LoopOptions, "name">, firstIndex = 0): Promise<{ outcomes: Outcome[]; seconds: number }> {
  const outcomes: Outcome[] = [];
  const deadline = performance.now() + opts.seconds * 1000;
  const max = opts.maxRequests ?? Number.POSITIVE_INFINITY;
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      while (performance.now() < deadline && issued < max) {
        const outcome = await opts.send(firstIndex + issued++);
        outcomes.push(outcome);
        // Turned away with "come back in N s": a real client waits (the web app does); hammering
        // back at once would measure the cost of refusals, not of the work.
        if (outcome.retryAfterMs) await sleep(Math.max(0, Math.min(outcome.retryAfterMs, deadline - performance.now())));
      }
    }),
  );
  return { outcomes, seconds: (performance.now() - started) / 1000 };
}

/**
 * Closed loop: `clients` virtual clients each send one request after another for `seconds`
 * (or until `maxRequests` in all). `send(i)` sends the i-th request.
 */
export async function runClosedLoop(opts: LoopOptions): Promise<LoadResult> {
  const { outcomes, seconds } = await loop(opts);
  return summarize(opts.name, outcomes, seconds);
}

/**
 * Two set-ups compared fairly on a machine whose speed drifts: `rounds` short turns each, A then B,
 * `seconds` in all for each. Returns A's and B's results.
 */
export async function runInterleaved(a: LoopOptions, b: LoopOptions, rounds = 5): Promise<[LoadResult, LoadResult]> {
  const runs = [a, b].map(() => ({ outcomes: [] as Outcome[], seconds: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [k, opts] of [a, b].entries()) {
      const turn = await loop({ ...opts, seconds: opts.seconds / rounds }, runs[k]!.outcomes.length);
      runs[k]!.outcomes.push(...turn.outcomes);
      runs[k]!.seconds += turn.seconds;
    }
  }
  return [summarize(a.name, runs[0]!.outcomes, runs[0]!.seconds), summarize(b.name, runs[1]!.outcomes, runs[1]!.seconds)];
}

/** Warm-up: a few seconds of the same load, results discarded (JIT, pools, query plans). */
export async function warm(send: (i: number) => Promise<Outcome>, clients: number, seconds = 2) {
  await runClosedLoop({ name: "warm-up", clients, seconds, send });
}
