// npm run bench: starts its own stack and measures each scenario in one run, so the ratios compare
// like with like. Prints a table and appends it, with the machine's facts, to BENCHMARKS.md.
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { repoRoot } from "@cinema/platform/config";
import { INTERNAL_HEADER, signInternalToken, signToken } from "@cinema/platform/auth";
import { dropDatabase, testInfra } from "../scripts/lib/infra.ts";
import { startStack, type Stack } from "../scripts/lib/stack.ts";
import { DATABASE_OWNERS, PROCESS_NAMES } from "../scripts/lib/subgraphs.ts";
import { flashCrowd, type FlashCrowdResult } from "./flash-crowd.ts";
import { poolFor, postGraphQL, runClosedLoop, runInterleaved, summarize, warm, type LoadResult, type Outcome } from "./load.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// BENCH_ONLY=reserve,seatmap runs just those scenarios (plus the ceiling, which every ratio needs);
// for iterating on one path. The table in BENCHMARKS.md should come from a full run.
const ONLY = (process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const want = (scenario: "direct" | "reserve" | "twogateways" | "contention" | "flashcrowd" | "myreservations" | "seatmap") => !ONLY.length || ONLY.includes(scenario);
const prefix = `bench${Date.now().toString(36)}`;
process.env.JWT_SECRET ??= randomUUID();
// The benchmark measures throughput, not the gateway's per-user/per-IP limit of reserve (all its
// clients share one address): off unless set.
process.env.RESERVE_RATE_PER_MINUTE ??= "0";
process.env.RESERVE_RATE_PER_IP_PER_MINUTE ??= "0";

async function gql<T = any>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { retryAfterSeconds?: number } }[] };
    // Set-up turned away by load shedding (the machine busy with the last scenario): come back when told.
    const retryAfter = body.errors?.[0]?.extensions?.retryAfterSeconds;
    if (typeof retryAfter === "number" && attempt < 10) {
      await new Promise((r) => setTimeout(r, retryAfter * 1000));
      continue;
    }
    if (body.errors?.length) throw new Error(`bench setup: ${body.errors.map((e) => e.message).join("; ")}`);
    return body.data!;
  }
}

/** A movie, a hall of rows × seatsPerRow and `count` screenings in it, a day apart, seat maps built. */
async function screenings(stack: Stack, admin: string, rows: number, seatsPerRow: number, count: number): Promise<string[]> {
  const url = stack.gatewayUrl;
  const { registerMovie } = await gql(url, `mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, {
    i: { title: `Bench ${randomUUID().slice(0, 8)}`, summary: "Benchmark", runtimeMinutes: 90, rating: "ALL" },
  }, admin);
  const { createAuditorium } = await gql(url, `mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id } }`, {
    i: { name: `Bench hall ${randomUUID()}`, rows, seatsPerRow },
  }, admin);
  const ids: string[] = [];
  for (let d = 0; d < count; d++) {
    const startsAt = new Date(Date.now() + (30 + d) * 86_400_000).toISOString();
    const { scheduleScreening } = await gql(url, `mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
      i: { movieId: registerMovie.id, auditoriumId: createAuditorium.id, startsAt, priceCents: 10000 },
    }, admin);
    ids.push(scheduleScreening.id);
  }
  for (const id of ids) {
    for (let tries = 0; ; tries++) {
      const { screening } = await gql(url, `query ($id: ID!) { screening(id: $id) { availableSeatCount } }`, { id });
      if (screening.availableSeatCount === rows * seatsPerRow) break;
      if (tries > 200) throw new Error("seat map not built");
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return ids;
}

const label = (i: number, seatsPerRow: number) => `${String.fromCharCode(65 + Math.floor(i / seatsPerRow))}-${(i % seatsPerRow) + 1}`;
const RESERVE = `mutation ($i: ReserveInput!) { reserve(input: $i) { id status } }`;

/** CPU time (user + system, ms) each process has used so far, from /proc (Linux). */
function cpuMs(stack: Stack): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of PROCESS_NAMES) {
    const pid = stack.pid(name);
    const stat = pid ? procStat(pid) : undefined;
    if (stat) out[name] = stat.cpuMs;
  }
  return out;
}

/**
 * /proc/<pid>/stat: the command, and CPU time in ms (utime + stime, the 12th and 13th fields after
 * the parenthesised command, in clock ticks of 100/s); `childrenMs` is what its ended children used
 * (cutime + cstime). Undefined once the process is gone.
 */
function procStat(pid: number | string): { comm: string; cpuMs: number; childrenMs: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return {
    comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
    childrenMs: (Number(fields[13]) + Number(fields[14])) * 10,
  };
}

function peakRss(stack: Stack): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of PROCESS_NAMES) {
    const pid = stack.pid(name);
    if (!pid || !existsSync(`/proc/${pid}/status`)) continue;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (hwm) out[name] = Math.round(Number(hwm[1]) / 1024);
  }
  return out;
}

/** CPU time (ms) the whole machine has been busy: every core, every process (PostgreSQL and NATS too). */
function machineBusyMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
}

/**
 * CPU time (ms) used so far by every process whose command is `comm`, with what their children
 * used before they ended (PostgreSQL backends that closed are counted in the postmaster's).
 */
function cpuMsOf(comm: string): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const stat = procStat(pid);
    if (stat?.comm === comm) total += stat.cpuMs + stat.childrenMs;
  }
  return total;
}
const infraCpuMs = () => ({ postgres: cpuMsOf("postgres"), "nats-server": cpuMsOf("nats-server") });

/** Waits until no process uses CPU any more (consumers and relays have caught up), at most 30 s. */
async function settle(stack: Stack) {
  let last = cpuMs(stack);
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuMs(stack);
    const busy = Object.keys(now).reduce((sum, k) => sum + now[k]! - (last[k] ?? 0), 0);
    last = now;
    if (busy < 100) return; // < 10% of one core over half a second, across all processes
  }
}

async function main() {
  const infra = await testInfra();
  const stack = await startStack({ serverUrl: infra.serverUrl, natsUrl: infra.natsUrl, dbPrefix: prefix, eventsPrefix: prefix, log: "silent" });
  const results: LoadResult[] = [];
  let rss: Record<string, number> = {};
  let cpuPerBooking: Record<string, number> = {};
  let crowd: (FlashCrowdResult & { soldSeats: number; rate: number }) | undefined;
  try {
    const admin = await signToken("bench-staff", "admin");
    const gw = stack.gatewayUrl;
    const [seatMapScreening] = await screenings(stack, admin, 15, 20, 1); // 300 seats
    const fresh = await screenings(stack, admin, 26, 60, 4); // 6,240 seats for the reserve run
    const [contested] = await screenings(stack, admin, 1, 10, 1);

    // 1–2. The ceiling: a trivial one-subgraph query, through the gateway and straight to movie.
    const trivial = { query: `query ($id: ID!) { screening(id: $id) { id priceCents } }`, variables: { id: seatMapScreening } };
    // Subgraphs answer only the gateway: the direct run carries an (anonymous) internal identity as the gateway would.
    const identity = { [INTERNAL_HEADER]: await signInternalToken(null, { ttlSeconds: 4 * SECONDS + 120 }) };
    // Both cores for the gateway? A second gateway process beside the first, the load split
    // between them. The ceiling with one and with two is measured in alternating short turns,
    // because this machine's speed drifts more between two runs than the effect being measured.
    const second = want("twogateways") ? await stack.startExtra("gateway") : undefined;
    const ceiling = { name: "gateway ceiling (1 subgraph)", clients: 64, seconds: SECONDS };
    const onePool = poolFor(gw, 64);
    const one = () => postGraphQL(onePool, gw, trivial);
    await warm(one, 64);
    let twoGateways: LoadResult | undefined;
    if (second) {
      const pools = [poolFor(gw, 32), poolFor(second.url, 32)];
      const urls = [gw, second.url];
      const two = (i: number) => postGraphQL(pools[i % 2]!, urls[i % 2]!, trivial);
      await warm(two, 64);
      const [a, b] = await runInterleaved({ ...ceiling, send: one }, { ...ceiling, name: "gateway ceiling, two gateway processes", send: two });
      results.push(a);
      twoGateways = b;
      await Promise.all(pools.map((p) => p.close()));
    } else {
      results.push(await runClosedLoop({ ...ceiling, send: one }));
    }
    await onePool.close();
    if (want("direct")) {
      const pool = poolFor(stack.urls.movie, 64);
      const send = () => postGraphQL(pool, stack.urls.movie, trivial, undefined, identity);
      await warm(send, 64);
      results.push(await runClosedLoop({ name: "same query, movie subgraph direct", clients: 64, seconds: SECONDS, send }));
      await pool.close();
    }
    if (twoGateways) results.push(twoGateways);

    // 3. reserve end to end, fresh seats every call, 100 clients.
    if (want("reserve")) {
      const pool = poolFor(gw, 100);
      const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => signToken(`bench-${i}`, "customer")));
      const perScreening = 26 * 60;
      const send = (i: number, target = { pool, url: gw }) =>
        postGraphQL(target.pool, target.url, {
          query: RESERVE,
          variables: { i: { screeningId: fresh[Math.floor(i / perScreening)]!, seats: [label(i % perScreening, 60)], paymentToken: "tok_visa", idempotencyKey: randomUUID() } },
        }, tokens[i % 100]);
      let n = 0;
      await warm(() => send(n++), 100, 2);
      const offset = n;
      const cpuBefore = cpuMs(stack);
      const machineBefore = machineBusyMs();
      const infraBefore = infraCpuMs();
      const loadBefore = process.cpuUsage();
      // The asynchronous work a booking causes (consumers, relays) is part of its cost: measured
      // from the start of the run until the stack is idle again after it.
      const run = await runClosedLoop({ name: "reserve e2e (100 clients, fresh seats)", clients: 100, seconds: SECONDS, maxRequests: fresh.length * perScreening - offset, send: (i) => send(offset + i) });
      results.push(run);
      rss = peakRss(stack);
      await settle(stack);
      const cpuAfter = cpuMs(stack);
      const perBooking = (ms: number) => Math.round((ms / run.ok) * 10) / 10;
      cpuPerBooking = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, perBooking(cpuAfter[k]! - (cpuBefore[k] ?? 0))]));
      const ours = Object.keys(cpuAfter).reduce((sum, k) => sum + cpuAfter[k]! - (cpuBefore[k] ?? 0), 0);
      const infraAfter = infraCpuMs();
      const infra = { postgres: infraAfter.postgres - infraBefore.postgres, "nats-server": infraAfter["nats-server"] - infraBefore["nats-server"] };
      cpuPerBooking.postgres = perBooking(infra.postgres);
      cpuPerBooking["nats-server"] = perBooking(infra["nats-server"]);
      const load = process.cpuUsage(loadBefore);
      const loadMs = (load.user + load.system) / 1000;
      cpuPerBooking["load generator"] = perBooking(loadMs);
      // The kernel's own work (network, interrupts) and the machine's other daemons.
      cpuPerBooking.other = perBooking(machineBusyMs() - machineBefore - ours - infra.postgres - infra["nats-server"] - loadMs);
      if (second) {
        // One gateway against two, in alternating turns (see the ceiling above).
        const pools = [poolFor(gw, 50), poolFor(second.url, 50)];
        const both = [{ pool: pools[0]!, url: gw }, { pool: pools[1]!, url: second.url }];
        let next = offset + run.requests + 200;
        const turn = (target: (i: number) => { pool: typeof pool; url: string }) => (i: number) => send(next++, target(i));
        const reserveLoop = { clients: 100, seconds: SECONDS };
        results.push(
          ...(await runInterleaved(
            { ...reserveLoop, name: "reserve e2e, one gateway process (alternating turns)", send: turn(() => ({ pool, url: gw })) },
            { ...reserveLoop, name: "reserve e2e, two gateway processes (alternating turns)", send: turn((i) => both[i % 2]!) },
          )),
        );
        await settle(stack);
        await Promise.all(pools.map((p) => p.close()));
      }
      await pool.close();
    }
    await second?.stop();

    // 4. Contention: 1,000 clients at once for the same 10 seats.
    if (want("contention")) {
      const pool = poolFor(gw, 200);
      const tokens = await Promise.all(Array.from({ length: 1000 }, (_, i) => signToken(`racer-${i}`, "customer")));
      const started = performance.now();
      const outcomes: Outcome[] = await Promise.all(
        tokens.map((token, i) =>
          postGraphQL(pool, gw, { query: RESERVE, variables: { i: { screeningId: contested, seats: [`A-${(i % 10) + 1}`], paymentToken: "tok_visa", idempotencyKey: randomUUID() } } }, token),
        ),
      );
      results.push(summarize("contention: 1,000 clients, same 10 seats", outcomes, (performance.now() - started) / 1000));
      await pool.close();
    }

    // 4b. The same flash crowd with the screening's waiting room on (issue 13): 1,000 customers
    // join the line over WebSocket, the admitted ones book with their pass.
    if (want("flashcrowd")) {
      const [roomScreening] = await screenings(stack, admin, 1, 10, 1);
      const rate = Number(process.env.BENCH_ROOM_RATE ?? 20);
      await gql(gw, `mutation ($i: SetWaitingRoomInput!) { setWaitingRoom(input: $i) { enabled } }`, { i: { screeningId: roomScreening, enabled: true, ratePerSecond: rate } }, admin);
      const result = await flashCrowd(gw, roomScreening!);
      const { screening } = await gql(gw, `query ($id: ID!) { screening(id: $id) { seats { status } } }`, { id: roomScreening });
      crowd = { ...result, rate, soldSeats: screening.seats.filter((s: { status: string }) => s.status === "SOLD").length };
      results.push(result.firstAnswer);
    }

    // 5. myReservations of a customer with 50 bookings.
    if (want("myreservations")) {
      const fan = await signToken("bench-fan", "customer");
      const [fanScreening] = await screenings(stack, admin, 5, 10, 1);
      for (let i = 0; i < 50; i++) {
        await gql(gw, RESERVE, { i: { screeningId: fanScreening, seats: [label(i, 10)], paymentToken: "tok_visa", idempotencyKey: randomUUID() } }, fan);
      }
      const MY = `{ myReservations(first: 50) { nodes { id status movieTitle screeningStartsAt seats amountCents ticketStatus } } }`;
      for (let tries = 0; ; tries++) {
        const { myReservations } = await gql(gw, MY, {}, fan);
        if (myReservations.nodes.length === 50 || tries > 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const pool = poolFor(gw, 64);
      const send = () => postGraphQL(pool, gw, { query: MY }, fan);
      await warm(send, 64);
      results.push(await runClosedLoop({ name: "myReservations (50 bookings)", clients: 64, seconds: SECONDS, send }));
      await pool.close();
    }

    // 6. The seat map of a 300-seat screening (gateway → movie + seat).
    if (want("seatmap")) {
      const pool = poolFor(gw, 32);
      const send = () => postGraphQL(pool, gw, { query: `query ($id: ID!) { screening(id: $id) { id startsAt movie { title } seats { label row number status } availableSeatCount } }`, variables: { id: seatMapScreening } });
      await warm(send, 32);
      // Latency as one customer sees it (the target is a p50), then throughput with 32 at once.
      results.push(await runClosedLoop({ name: "seat map, 300 seats, 1 client", clients: 1, seconds: SECONDS, send }));
      results.push(await runClosedLoop({ name: "seat map, 300 seats, 32 clients", clients: 32, seconds: SECONDS, send }));
      await pool.close();
    }
  } finally {
    await stack.stopAll();
    for (const name of DATABASE_OWNERS) await dropDatabase(infra.serverUrl, `${prefix}_${name}`).catch(() => {});
    await infra.stop();
  }
  report(results, rss, cpuPerBooking, crowd);
}

function report(results: LoadResult[], rss: Record<string, number>, cpu: Record<string, number>, crowd?: FlashCrowdResult & { soldSeats: number; rate: number }) {
  const ceiling = results[0]!.rps;
  const byName = (prefix: string) => results.find((r) => r.name.startsWith(prefix));
  const rows = results.map((r) => `| ${r.name} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.ok} | ${r.typedRefusals}${Object.keys(r.refusals).length ? ` (${Object.entries(r.refusals).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""} | ${r.otherErrors} |`);
  const ratio = (n: number) => `${Math.round((n / ceiling) * 100)}%`;
  const text = [
    `## ${new Date().toISOString()}`,
    "",
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${SECONDS} s per scenario, all processes on this machine.`,
    "",
    "| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | ok | typed refusals | other errors |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `Ratios (same run): reserve / ceiling = **${ratio(byName("reserve e2e (")?.rps ?? 0)}**; myReservations / ceiling = **${ratio(byName("myReservations")?.rps ?? 0)}**; direct subgraph / gateway = ${((byName("same query")?.rps ?? 0) / ceiling).toFixed(1)}×.`,
    ...(byName("gateway ceiling, two")
      ? [
          "",
          `Two gateway processes against one (alternating turns, same run): ceiling ${(byName("gateway ceiling, two")!.rps / ceiling).toFixed(2)}×; reserve ${((byName("reserve e2e, two")?.rps ?? 0) / (byName("reserve e2e, one")?.rps || 1)).toFixed(2)}×.`,
        ]
      : []),
    ...(crowd
      ? [
          "",
          `Flash crowd with the waiting room on (${crowd.rate} passes/s): ${crowd.soldSeats} seats sold of 10 in ${crowd.seconds.toFixed(1)} s; buyers' places in line ${crowd.buyerNumbers.join(", ")} (${crowd.admittedAtSellOut} admitted when the last seat sold); time to first answer p99 ${crowd.firstAnswer.p99} ms (sockets acknowledged: p50 ${crowd.connectedP50} ms, p99 ${crowd.connectedP99} ms after arrival).`,
        ]
      : []),
    "",
    `Peak RSS during the reserve run (MiB): ${Object.entries(rss).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    "",
    `CPU per confirmed booking (ms, the reserve run and the asynchronous work it caused): ${Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(", ")}; total ${Math.round(Object.values(cpu).reduce((a, b) => a + b, 0) * 10) / 10}.`,
    "",
  ].join("\n");
  console.log(`\n${text}`);
  if (ONLY.length) return; // a partial run is not a record
  const file = path.join(repoRoot, "BENCHMARKS.md");
  if (!existsSync(file)) writeFileSync(file, "# Benchmarks\n\nAppended by `npm run bench`; newest last. Each run measures every scenario against the same stack, so the ratios compare like with like.\n\n");
  appendFileSync(file, `${text}\n`);
}

await main();
