// What every fault case shares: the reservation's saga deadline (short, so the reconciliation
// job's repairs fall inside a run), one way to finish a case, and logs kept when a case fails.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { localDir } from "@cinema/platform/config";
import type { Stack, StackOptions } from "../../scripts/lib/stack.ts";
import { startTestStack, type TestStack } from "../harness.ts";
import { settle, type Violation } from "./invariants.ts";
import type { LoadStats } from "./load.ts";
import { reportCase } from "./report.ts";
import { traceBookings } from "./trace.ts";

const DEADLINE_SECONDS = 15;
const RECONCILE_INTERVAL_SECONDS = 2;
/** The reservation subgraph's environment in every fault stack. */
export const RESERVATION_ENV = {
  RESERVE_DEADLINE_SECONDS: String(DEADLINE_SECONDS),
  RECONCILE_INTERVAL_SECONDS: String(RECONCILE_INTERVAL_SECONDS),
};
/**
 * A stack for a fault case: the reservation's short saga deadline, and the gateway's per-customer
 * and per-address booking rate limits out of the way (the load comes from a handful of customers
 * on one loopback address; rate limiting is not what these cases test).
 */
export function startFaultStack(opts: Pick<StackOptions, "env" | "envFor"> & { natsUrl?: string } = {}): Promise<TestStack> {
  return startTestStack({
    ...opts,
    env: { RESERVE_RATE_PER_MINUTE: "100000", RESERVE_RATE_PER_IP_PER_MINUTE: "100000", ...opts.env },
    envFor: { ...opts.envFor, reservation: { ...RESERVATION_ENV, ...opts.envFor?.reservation } },
  });
}

/** PENDING longer than the deadline plus two job runs and some slack is a violation. */
export const STALE_AFTER_MS = (DEADLINE_SECONDS + 2 * RECONCILE_INTERVAL_SECONDS + 3) * 1000;

const reported = new WeakMap<Stack, Set<string>>();

export const LOG_DIR = path.join(localDir, "faults", "logs");

/** Keeps every process's recent output of a failed case under .local/faults/logs/. */
export function keepLogs(stack: Stack, caseName: string, extra: Record<string, string> = {}): string {
  const dir = path.join(LOG_DIR, caseName.replace(/[^A-Za-z0-9_-]+/g, "_"));
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(stack.ports) as (keyof Stack["ports"])[]) writeFileSync(path.join(dir, `${name}.log`), stack.logs(name));
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, `${name}.log`), text);
  return dir;
}

/**
 * After the fault has ended and the load finished: settle, check the invariants, print the table,
 * and assert no violation and no untyped error (and, when `allSucceed`, no refusal at all).
 */
export async function finishCase(
  stack: Stack,
  name: string,
  stats: LoadStats,
  opts: { allSucceed?: boolean; notes?: string; extraLogs?: () => Record<string, string>; extraChecks?: () => Promise<Violation[]> } = {},
): Promise<void> {
  let violations: Violation[];
  try {
    violations = await settle(stack, { staleAfterMs: STALE_AFTER_MS });
  } catch (err) {
    violations = [{ invariant: "quiescence", detail: (err as Error).message }];
  }
  if (opts.extraChecks) violations.push(...(await opts.extraChecks()));
  // A violation an earlier case on this stack already reported (and failed for) is listed, not counted again.
  const seen = (reported.get(stack) ?? reported.set(stack, new Set()).get(stack))!;
  const key = (v: Violation) => `${v.invariant} ${v.detail.replace(/ for \d+ s/, "")}`;
  const carried = violations.filter((v) => seen.has(key(v)));
  violations = violations.filter((v) => !seen.has(key(v)));
  violations.forEach((v) => seen.add(key(v)));
  const notes = [opts.notes, carried.length ? `${carried.length} violation(s) carried over from earlier cases, not counted` : ""].filter(Boolean).join("; ");
  reportCase(name, stats, violations, notes);
  const failed = violations.length > 0 || stats.other > 0 || (opts.allSucceed && stats.successes !== stats.requests);
  if (failed) {
    // Evidence: the events of the first few bookings named in violations, and every process's log.
    const ids = [...new Set(violations.flatMap((v) => v.detail.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []))].slice(0, 4);
    console.log(`${await traceBookings(stack, ids).catch((err) => `trace failed: ${(err as Error).message}`)}\nlogs of ${name}: ${keepLogs(stack, name, opts.extraLogs?.())}`);
  }
  expect(stats.requests, "the load sent requests").toBeGreaterThan(0);
  expect(stats.seatsRanOutAtMs, "the seat pool ran out mid-case (ms since the load started): the rest of the case booked nothing").toBeNull();
  expect.soft(violations.map((v) => `[${v.invariant}] ${v.detail}`), "invariant violations").toEqual([]);
  expect.soft(stats.otherSamples, `untyped errors (${stats.other})`).toEqual([]);
  expect.soft(stats.other, "untyped errors").toBe(0);
  if (opts.allSucceed) expect.soft(stats.successes, `successes of ${stats.requests} (refusals: ${JSON.stringify(stats.codes)})`).toBe(stats.requests);
}
