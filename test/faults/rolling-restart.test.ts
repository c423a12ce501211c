// Case 5: two seat replicas behind nginx; the reservation subgraph and the gateway reach seat only
// through it. Under load each replica in turn gets SIGTERM (it stops accepting and drains), is
// started again and becomes ready, then the other: every request must succeed.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExtraProcess } from "../../scripts/lib/stack.ts";
import { freePort } from "../../scripts/lib/infra.ts";
import { waitFor, type TestStack } from "../harness.ts";
import { finishCase, startFaultStack } from "./common.ts";
import { freshSeats, startLoad, type SeatPool } from "./load.ts";
import { startNginx, type Nginx } from "./nginx.ts";

let t: TestStack;
let nginx: Nginx;
let second: ExtraProcess;
let seats: SeatPool;
const dir = mkdtempSync(path.join(os.tmpdir(), "cinema-faults-nginx-"));

beforeAll(async () => {
  const lbPort = await freePort();
  const viaLb = { SUBGRAPH_URL_SEAT: `http://127.0.0.1:${lbPort}/graphql` };
  t = await startFaultStack({ envFor: { reservation: viaLb, gateway: viaLb } });
  second = await t.stack.startExtra("seat");
  nginx = await startNginx({ port: lbPort, upstreams: [t.stack.ports.seat, second.port], dir });
  seats = await freshSeats(t, 4); // 2,400 seats: the load's cap (1,500 requests, ≤ 3 seats a booking)
});
afterAll(async () => {
  try {
    await t?.cleanup();
  } finally {
    await nginx?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Waits (bounded) until nginx has answered a request from the replica on `port` since now, as an operator would before taking the next one down. */
async function servedBy(port: number) {
  const since = Date.now() / 1000;
  await waitFor(
    () =>
      nginx
        .accessLog()
        .split("\n")
        .some((line) => Number(line.split(" ")[0]) > since && line.includes(`upstream=127.0.0.1:${port} upstream_status=200`)),
    { timeoutMs: 15_000, intervalMs: 200 },
  );
}

describe("rolling restart of the seat subgraph behind nginx", () => {
  it("replaces one replica at a time under load: 100% of requests succeed", async () => {
    const load = startLoad(t, { seats, customers: 6, durationMs: 90_000 });
    await sleep(3_000);
    const steps: string[] = [];
    const at = (what: string) => steps.push(`${what} at +${((Date.now() - started) / 1000).toFixed(1)}s`);
    const started = Date.now();
    await t.stack.stop("seat", "SIGTERM");
    at("seat#1 drained");
    await t.stack.start("seat");
    at("seat#1 ready");
    await servedBy(t.stack.ports.seat);
    at("seat#1 serving");
    await second.stop("SIGTERM");
    at("seat#2 drained");
    await second.start();
    at("seat#2 ready");
    await servedBy(second.port);
    at("seat#2 serving");
    await sleep(2_000);
    load.stop();
    const stats = await load.done;
    const byUpstream = nginx
      .accessLog()
      .split("\n")
      .filter((l) => / upstream_status=\S*, /.test(l) || / [5]\d\d "/.test(l));
    await finishCase(t.stack, "rolling restart of seat (2 replicas, nginx)", stats, {
      allSucceed: true,
      notes: `${steps.join(", ")}; nginx retried on the other replica ${byUpstream.length}×`,
      extraLogs: () => ({ "seat-2": second.logs(), "nginx-access": nginx.accessLog(), "nginx-error": nginx.errorLog() }),
    });
    expect(steps).toHaveLength(6);
  });
});
