// What one GraphQL hop costs, in CPU per request of each process involved, against the floor: the
// bench's bare subgraph (bare-subgraph.ts) answering the same trivial query. Measured warm and in
// alternating turns, because this machine's speed drifts more between two runs than the effects
// being compared.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort, killOnExit, stopChild } from "../scripts/lib/infra.ts";
import { TYPESCRIPT_FLAGS } from "../scripts/lib/typescript.ts";
import { poolFor, postGraphQL, runClosedLoop, type Outcome } from "./load.ts";
import { procStat } from "./proc.ts";

export interface HopTarget {
  name: string;
  /** Sends one request. */
  send: () => Promise<Outcome>;
  /** The processes whose CPU this path costs (name → pid). */
  pids: Record<string, number>;
}

export interface HopCost {
  name: string;
  requests: number;
  rps: number;
  /** CPU ms per request, per process. */
  cpuMsPerRequest: Record<string, number>;
}

/** Starts the bare subgraph on the movie database; returns its URL and pid. */
export async function startBareSubgraph(databaseUrl: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...TYPESCRIPT_FLAGS, new URL("./bare-subgraph.ts", import.meta.url).pathname], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  killOnExit(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bare subgraph did not start")), 30_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", () => reject(new Error("bare subgraph exited")));
  });
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid!, stop: () => stopChild(child) };
}

const cpuOf = (pids: Record<string, number>) => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, procStat(pid)?.cpuMs ?? 0]));

/**
 * Each target warmed `warmSeconds` (JIT, pools, plans: CPU per request falls for the first
 * 30–60 s), then measured in `turns` alternating turns of `turnSeconds` each.
 */
export async function measureHops(targets: HopTarget[], opts: { clients: number; warmSeconds: number; turnSeconds: number; turns: number }): Promise<HopCost[]> {
  for (const t of targets) await runClosedLoop({ name: "warm-up", clients: opts.clients, seconds: opts.warmSeconds, send: t.send });
  const totals = targets.map(() => ({ requests: 0, seconds: 0, cpu: {} as Record<string, number> }));
  for (let turn = 0; turn < opts.turns; turn++) {
    for (const [k, t] of targets.entries()) {
      await sleep(200); // the last turn's stragglers finished
      const before = cpuOf(t.pids);
      const run = await runClosedLoop({ name: t.name, clients: opts.clients, seconds: opts.turnSeconds, send: t.send });
      const after = cpuOf(t.pids);
      const total = totals[k]!;
      total.requests += run.ok;
      total.seconds += run.seconds;
      for (const p of Object.keys(t.pids)) total.cpu[p] = (total.cpu[p] ?? 0) + after[p]! - before[p]!;
    }
  }
  return targets.map((t, k) => {
    const { requests, seconds, cpu } = totals[k]!;
    return {
      name: t.name,
      requests,
      rps: Math.round((requests / seconds) * 10) / 10,
      cpuMsPerRequest: Object.fromEntries(Object.entries(cpu).map(([p, ms]) => [p, Math.round((ms / Math.max(1, requests)) * 1000) / 1000])),
    };
  });
}

export { poolFor, postGraphQL };
