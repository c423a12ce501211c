// A subgraph that accepts connections but never answers (a frozen process: SIGSTOP) is not a
// crash: nothing refuses the connection, so only deadlines end the wait. Each subgraph in turn is
// frozen for 10 s under load, then resumed (SIGCONT), on one stack. Every request must be answered,
// typed, within its deadline (set by the gateway per operation) plus a second, and the invariants
// must hold across every database afterwards (nothing charged without a booking).
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBGRAPHS } from "../../scripts/lib/subgraphs.ts";
import type { TestStack } from "../harness.ts";
import { finishCase, startFaultStack } from "./common.ts";
import { freshSeats, startLoad, type Op, type SeatPool } from "./load.ts";

/** The gateway's budgets here: its defaults, stated, so the assertion below reads them. */
const DEADLINES: Record<Op, number> = { read: 3_000, cancel: 5_000, reserve: 10_000 };
const FREEZE_MS = 10_000;
const SLACK_MS = 1_000;

let t: TestStack;
let seats: SeatPool;
beforeAll(async () => {
  t = await startFaultStack({
    envFor: { gateway: { DEADLINE_QUERY_MS: String(DEADLINES.read), DEADLINE_MUTATION_MS: String(DEADLINES.cancel), DEADLINE_RESERVE_MS: String(DEADLINES.reserve) } },
  });
  seats = await freshSeats(t, 4); // 2,400 seats, never offered twice; each case tops the pool up
});
afterAll(async () => {
  await t?.cleanup();
});

describe("a frozen subgraph (SIGSTOP for 10 s, then SIGCONT)", () => {
  for (const name of SUBGRAPHS) {
    it(`${name} frozen: every request answered, typed, within its deadline + 1 s`, async () => {
      await seats.topUp(t, 2_400); // the load's cap (1,500 requests, ≤ 3 seats a booking) on a fast build
      // A customer's own deadline is past ours: hitting it would be an unanswered request.
      const load = startLoad(t, { seats, customers: 6, durationMs: 60_000, requestTimeoutMs: DEADLINES.reserve + 5 * SLACK_MS });
      const pid = t.stack.pid(name);
      expect(pid, `${name} is running`).toBeDefined();
      try {
        await sleep(1_500);
        process.kill(pid!, "SIGSTOP");
        try {
          await sleep(FREEZE_MS);
        } finally {
          process.kill(pid!, "SIGCONT");
        }
        await sleep(2_000);
      } finally {
        load.stop();
      }
      const stats = await load.done;
      const slowest = Object.entries(stats.maxMsByOp).map(([op, ms]) => `${op} ${ms}/${DEADLINES[op as Op]} ms`).join(", ");
      await finishCase(t.stack, `${name} frozen 10 s`, stats, { notes: `slowest answer vs deadline: ${slowest}` });
      for (const op of Object.keys(DEADLINES) as Op[]) {
        expect.soft(stats.maxMsByOp[op], `slowest ${op} (deadline ${DEADLINES[op]} ms)`).toBeLessThanOrEqual(DEADLINES[op] + SLACK_MS);
      }
    });
  }
});
