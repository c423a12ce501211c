// Fault cases that share one stack (own nats-server on a fixed port, so it can be stopped and
// started again): a baseline without a fault, NATS down for 10 s (case 3), the ticket issuer down (case 6), the card processor
// slower than the payment deadline and failing half of its calls (case 2), and kill -9 of each
// subgraph in turn (case 1). Each case puts load on the gateway, injects the fault mid-load, ends
// it, waits for quiescence and checks the invariants across every database (see common.ts).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startNatsServer } from "../../scripts/lib/infra.ts";
import { PROCESS_NAMES, type ProcessName } from "../../scripts/lib/stack.ts";
import { SUBGRAPHS } from "../../scripts/lib/subgraphs.ts";
import { waitFor, type TestStack } from "../harness.ts";
import { finishCase, startFaultStack } from "./common.ts";
import type { Violation } from "./invariants.ts";
import { freshSeats, startLoad, type SeatPool } from "./load.ts";

const PAYMENT_TIMEOUT_MS = 1500;
let t: TestStack;
let nats: Awaited<ReturnType<typeof startNatsServer>>;
let natsPort: number;
let seats: SeatPool;
const storeDir = mkdtempSync(path.join(os.tmpdir(), "cinema-faults-nats-"));

beforeAll(async () => {
  natsPort = await freePort();
  nats = await startNatsServer({ port: natsPort, storeDir });
  t = await startFaultStack({ natsUrl: nats.url, envFor: { reservation: { PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS) } } });
  seats = await freshSeats(t, 4); // 2,400 seats, never offered twice; each case tops the pool up
});
afterAll(async () => {
  try {
    await t?.cleanup();
  } finally {
    await nats?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
});

/** Load for `before` ms, then `fault()` (which also ends the fault), then `after` ms more. */
async function underLoad(fault: () => Promise<void>, { before = 2_000, after = 2_000 } = {}) {
  // Enough for the load's request cap (1,500, two seats a booking on average) on a fast machine.
  await seats.topUp(t, 2_400);
  const load = startLoad(t, { seats, customers: 6, durationMs: 90_000 });
  try {
    await sleep(before);
    await fault();
    await sleep(after);
  } finally {
    load.stop();
  }
  return load.done;
}

describe("baseline", () => {
  it("the same load without a fault: everything succeeds and the invariants hold", async () => {
    const stats = await underLoad(async () => sleep(6_000));
    await finishCase(t.stack, "baseline (no fault)", stats, { allSucceed: true, notes: "the load alone, for comparison" });
  });
});

describe("case 3: NATS outage", () => {
  it("NATS down for 10 s: requests keep succeeding, every event is delivered after it returns", async () => {
    const stats = await underLoad(async () => {
      await nats.stop();
      try {
        await sleep(10_000);
      } finally {
        nats = await startNatsServer({ port: natsPort, storeDir });
      }
    });
    await finishCase(t.stack, "NATS down 10 s", stats, { notes: "nats-server stopped 10 s, restarted on the same port and store" });
  });
});

const TICKETING = "ticketing" as ProcessName;
const hasTicketing = (PROCESS_NAMES as readonly string[]).includes(TICKETING);
const TICKET = `query ($id: ID!) { reservation(id: $id) { status ticket { status } } }`;
const MY = `query ($id: ID!) { myReservation(id: $id) { ticketStatus } }`;

describe("case 6: ticket issuer down", () => {
  // TODO(lead): needs the ticket issuer as its own process named "ticketing" in PROCESS_NAMES.
  (hasTicketing ? it : it.skip)("bookings go on while ticketing is down; every confirmed booking gets its ticket after it returns", async () => {
    const stats = await underLoad(async () => {
      await t.stack.stop(TICKETING, "SIGKILL");
      try {
        await sleep(10_000);
      } finally {
        await t.stack.start(TICKETING);
      }
    });
    // Through the API as well: the booking's ticket (staff view) and my page's ticketStatus (the customer's).
    const admin = await t.tokenFor("staff", "admin");
    const cancelled = new Set(stats.cancelledIds);
    const confirmed = stats.confirmedIds.filter((id) => !cancelled.has(id));
    const missing = async (): Promise<Violation[]> => {
      const out: Violation[] = [];
      for (const id of confirmed) {
        const booking = (await t.gql(TICKET, { id }, { token: admin })).data?.reservation;
        if (booking?.status !== "CONFIRMED") continue; // cancelled by its customer meanwhile
        const shown = (await t.gql(MY, { id }, { token: await t.tokenFor(stats.ownerOf[id]!, "customer") })).data?.myReservation;
        if (booking.ticket?.status !== "ISSUED" || shown?.ticketStatus !== "ISSUED") {
          out.push({ invariant: "api.ticket-issued", detail: `reservation ${id}: ticket ${booking.ticket?.status ?? "none"}, my page ${shown?.ticketStatus ?? "none"}` });
        }
      }
      return out;
    };
    await waitFor(async () => (await missing()).length === 0, { timeoutMs: 20_000, intervalMs: 1_000 }).catch(() => {});
    await finishCase(t.stack, "ticketing down 10 s", stats, {
      allSucceed: true,
      notes: `ticketing killed for 10 s; ${confirmed.length} bookings checked through the API`,
      extraChecks: missing,
    });
  });
});

describe("case 2: card processor faults", () => {
  /** Payment is swapped (SIGTERM, drained) for an instance on the same port with `env`, then swapped back. */
  const faultyPayment = (env: Record<string, string>, faultMs: number, logs: { text: string }) => async () => {
    await t.stack.stop("payment");
    const faulty = await t.stack.startExtra("payment", { port: t.stack.ports.payment, envOverrides: env });
    try {
      await sleep(faultMs);
    } finally {
      logs.text = faulty.logs();
      await faulty.stop();
      await t.stack.start("payment");
    }
  };

  it("slower than the payment deadline: refusals are typed, no charge survives without a booking", async () => {
    const logs = { text: "" };
    const latency = PAYMENT_TIMEOUT_MS + 1000;
    const stats = await underLoad(faultyPayment({ PAYMENT_SIM_LATENCY_MS: String(latency) }, 8_000, logs));
    await finishCase(t.stack, "payment slower than timeout", stats, {
      notes: `PAYMENT_SIM_LATENCY_MS=${latency} > PAYMENT_TIMEOUT_MS=${PAYMENT_TIMEOUT_MS} for 8 s`,
      extraLogs: () => ({ "payment-faulty": logs.text }),
    });
    expect(stats.codes.SERVICE_UNAVAILABLE ?? 0, "the slow processor was noticed").toBeGreaterThan(0);
  });

  it("failing 50% of calls: refusals are typed, refunds still happen exactly once", async () => {
    const logs = { text: "" };
    const stats = await underLoad(faultyPayment({ PAYMENT_SIM_FAILURE_RATE: "0.5" }, 8_000, logs));
    await finishCase(t.stack, "payment failing 50%", stats, {
      notes: "PAYMENT_SIM_FAILURE_RATE=0.5 for 8 s",
      extraLogs: () => ({ "payment-faulty": logs.text }),
    });
    expect(stats.codes.SERVICE_UNAVAILABLE ?? 0, "the failing processor was noticed").toBeGreaterThan(0);
  });
});

describe("case 1: kill -9 of a subgraph", () => {
  for (const name of SUBGRAPHS) {
    it(`kill -9 ${name}, then start it again`, async () => {
      let downFor = 0;
      const stats = await underLoad(async () => {
        const downAt = Date.now();
        await t.stack.stop(name, "SIGKILL");
        await t.stack.start(name);
        downFor = Date.now() - downAt;
      });
      await finishCase(t.stack, `kill -9 ${name}`, stats, { notes: `down ${(downFor / 1000).toFixed(1)} s (until ready again)` });
    });
  }
});
