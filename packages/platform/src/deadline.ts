// The request's deadline, set at the edge (the gateway) and passed down every hop as the budget
// left in milliseconds (x-cinema-deadline-ms): a remaining budget, not a clock time, because the
// processes' clocks differ. Each subgraph turns it back into a deadline on its own clock when the
// request arrives (server.ts) and keeps it for everything the request starts (the request's scope,
// observability.ts): its calls to other subgraphs (subgraph-client.ts) never wait longer than what is left.
import { currentRequest, runInRequest } from "./observability.ts";

export const DEADLINE_HEADER = "x-cinema-deadline-ms";

/** Budgets above this are taken as this: a caller cannot make a process wait longer than any deadline of ours. */
const MAX_BUDGET_MS = 60_000;

/** The budget a caller sent (ms), or undefined when it sent none or nonsense. */
export function budgetFromHeader(header: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || !/^-?\d{1,9}$/.test(raw.trim())) return undefined;
  return Math.min(Number(raw), MAX_BUDGET_MS);
}

/** Milliseconds left of the current request's budget; undefined outside a request with a deadline. */
export function remainingBudget(): number | undefined {
  const at = currentRequest()?.deadline;
  return at === undefined ? undefined : at - Date.now();
}

/**
 * Runs `fn` without the caller's deadline: work that must finish once started whether or not the
 * caller still waits (a saga's compensation, which only a later repair job would otherwise do).
 */
export function detachedFromDeadline<T>(fn: () => T): T {
  const scope = currentRequest();
  return scope ? runInRequest({ ...scope, deadline: undefined }, fn) : fn();
}
