// The request's deadline, set at the edge (the gateway) and passed down every hop as the budget
// left in milliseconds (x-cinema-deadline-ms): a remaining budget, not a clock time, because the
// processes' clocks differ. Each subgraph turns it back into a deadline on its own clock when the
// request arrives (server.ts) and keeps it for everything the request starts (AsyncLocalStorage):
// its calls to other subgraphs (subgraph-client.ts) never wait longer than what is left.
import { AsyncLocalStorage } from "node:async_hooks";

export const DEADLINE_HEADER = "x-cinema-deadline-ms";

/** Budgets above this are taken as this: a caller cannot make a process wait longer than any deadline of ours. */
const MAX_BUDGET_MS = 60_000;

const deadlines = new AsyncLocalStorage<number | undefined>();

/** The budget a caller sent (ms), or undefined when it sent none or nonsense. */
export function budgetFromHeader(header: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || !/^-?\d{1,9}$/.test(raw.trim())) return undefined;
  return Math.min(Number(raw), MAX_BUDGET_MS);
}

/** Runs `fn` (and everything it starts) under the deadline `at` (this process's clock, ms); undefined: none. */
export function runWithDeadline<T>(at: number | undefined, fn: () => T): T {
  return deadlines.run(at, fn);
}

/** Milliseconds left of the current request's budget; undefined outside a request with a deadline. */
export function remainingBudget(): number | undefined {
  const at = deadlines.getStore();
  return at === undefined ? undefined : at - Date.now();
}

/**
 * Runs `fn` without the caller's deadline: work that must finish once started whether or not the
 * caller still waits (a saga's compensation, which only a later repair job would otherwise do).
 */
export function detachedFromDeadline<T>(fn: () => T): T {
  return deadlines.run(undefined, fn);
}
