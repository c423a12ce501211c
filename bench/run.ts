// npm run bench: starts its own stack and measures each scenario in one run, so the ratios compare
// like with like. Prints a table and appends it, with the machine's facts, to BENCHMARKS.md.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { repoRoot } from "@cinema/platform/config";
import { INTERNAL_HEADER, signInternalToken, signToken } from "@cinema/platform/auth";
import { dropDatabase, testInfra } from "../scripts/lib/infra.ts";
import { startStack, type Stack } from "../scripts/lib/stack.ts";
import { NODE_MEMORY_OPTIONS } from "../scripts/lib/typescript.ts";
import { DATABASE_OWNERS, PROCESS_NAMES, type ProcessName } from "../scripts/lib/subgraphs.ts";
import { COUNTERS, perBooking, scrape, type CounterName } from "./counters.ts";
import { summarizeHeap } from "./heap-summary.ts";
import { measureHops, startBareSubgraph, type HopCost } from "./hop-cost.ts";
import { flashCrowd, type FlashCrowdResult } from "./flash-crowd.ts";
import { cpuMsOf, machineBusyMs, peakRssMiB, stackCpuMs } from "./proc.ts";
import { poolFor, postGraphQL, runClosedLoop, runInterleaved, summarize, warm, type LoadResult, type Outcome } from "./load.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
// CPU per request falls 30–50% over the first 30–60 s under load (JIT, pools, plans): the hop and
// reserve measurements start after this much load.
const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 30);
// BENCH_ONLY=reserve,seatmap runs just those scenarios (plus the ceiling, which every ratio needs);
// for iterating on one path. The table in BENCHMARKS.md should come from a full run.
const ONLY = (process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const want = (scenario: "hop" | "direct" | "reserve" | "twogateways" | "contention" | "flashcrowd" | "myreservations" | "seatmap") => !ONLY.length || ONLY.includes(scenario);
const prefix = `bench${Date.now().toString(36)}`;
process.env.JWT_SECRET ??= randomUUID();
// Processes run as production runs them (the image sets NODE_ENV=production): libraries skip their
// development-only work (Prisma, for one, captures a call site per query otherwise).
process.env.NODE_ENV ??= "production";
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

function peakRss(stack: Stack): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of PROCESS_NAMES) {
    const pid = stack.pid(name);
    const mib = pid ? peakRssMiB(pid) : undefined;
    if (mib !== undefined) out[name] = mib;
  }
  return out;
}

const infraCpuMs = () => ({ postgres: cpuMsOf("postgres"), "nats-server": cpuMsOf("nats-server") });

/** Signals a process to write a heap snapshot, waits for it, and prints what holds its memory. */
async function heapSnapshot(name: string, pid: number, dir: string) {
  const before = new Set(readdirSync(dir));
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").split("\n").filter((l) => /^(Rss|Anonymous|Pss_File|Pss_Anon):/.test(l)).map((l) => l.replace(/\s+/g, " "));
  process.kill(pid, "SIGUSR2");
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const file = readdirSync(dir).find((f) => !before.has(f) && f.endsWith(".heapsnapshot") && f.includes(`.${pid}.`));
    if (!file) continue;
    const full = path.join(dir, file);
    const size = statSync(full).size;
    await new Promise((r) => setTimeout(r, 1000));
    if (statSync(full).size !== size) continue; // still being written
    const summary = summarizeHeap(JSON.parse(readFileSync(full, "utf8")), 20);
    console.log(`\n${name} (pid ${pid}): ${rollup.join(", ")}; JS heap ${summary.totalMiB} MiB by self size:\n${summary.top.join("\n")}`);
    return;
  }
}

/** Waits until no process uses CPU any more (consumers and relays have caught up), at most 30 s. */
async function settle(stack: Stack) {
  let last = stackCpuMs(stack);
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = stackCpuMs(stack);
    const busy = Object.keys(now).reduce((sum, k) => sum + now[k]! - (last[k] ?? 0), 0);
    last = now;
    if (busy < 100) return; // < 10% of one core over half a second, across all processes
  }
}

async function main() {
  const infra = await testInfra();
  // BENCH_PROFILE=movie,gateway: those processes write a CPU profile (.cpuprofile) to .local/profiles
  // when the bench stops them; bench/profile-summary.ts sums one up by package.
  const profiled = (process.env.BENCH_PROFILE ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  // BENCH_HEAP=reservation,…: a heap snapshot of those processes right after the reserve run, summed
  // up by what holds the memory (bench/heap-summary.ts).
  const heapSnapshots = (process.env.BENCH_HEAP ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const profileDir = path.join(repoRoot, ".local", "profiles");
  if (profiled.length || heapSnapshots.length) mkdirSync(profileDir, { recursive: true });
  const stack = await startStack({
    serverUrl: infra.serverUrl,
    natsUrl: infra.natsUrl,
    dbPrefix: prefix,
    eventsPrefix: prefix,
    log: "silent",
    envFor: Object.fromEntries(
      [...new Set([...profiled, ...heapSnapshots])].map((name) => [
        name,
        {
          NODE_OPTIONS: [
            process.env.NODE_OPTIONS ?? NODE_MEMORY_OPTIONS,
            ...(profiled.includes(name) ? [`--import ${path.join(repoRoot, "bench", "cpu-profile.mjs")}`] : []),
            ...(heapSnapshots.includes(name) ? [`--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${profileDir}`] : []),
          ].join(" "),
          CPU_PROFILE_FILE: path.join(profileDir, `${name}-${prefix}.cpuprofile`),
        },
      ]),
    ),
  });
  const results: LoadResult[] = [];
  let rss: Record<string, number> = {};
  let cpuPerBooking: Record<string, number> = {};
  let hops: HopCost[] = [];
  let workPerBooking: ReturnType<typeof perBooking> = {};
  let crowd: (FlashCrowdResult & { soldSeats: number; rate: number }) | undefined;
  try {
    const admin = await signToken("bench-staff", "admin");
    const gw = stack.gatewayUrl;
    const [seatMapScreening] = await screenings(stack, admin, 15, 20, 1); // 300 seats
    const fresh = await screenings(stack, admin, 26, 60, 10); // 15,600 seats for the reserve run and its warm-up
    const [contested] = await screenings(stack, admin, 1, 10, 1);

    // 1–2. The ceiling: a trivial one-subgraph query, through the gateway and straight to movie.
    const trivial = { query: `query ($id: ID!) { screening(id: $id) { id priceCents } }`, variables: { id: seatMapScreening } };
    // Subgraphs answer only the gateway: the direct run carries an (anonymous) internal identity as the gateway would.
    // Valid for the whole bench: the hop table sends it minutes later, after every warm-up.
    const identity = { [INTERNAL_HEADER]: await signInternalToken(null, { ttlSeconds: 3600 }) };
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

    // 2b. What a hop costs: CPU per request of each process for the same trivial query sent to a
    // bare subgraph (the floor), to the movie subgraph and through the gateway; warm, alternating.
    if (want("hop")) {
      const bare = await startBareSubgraph(stack.databaseUrls.movie);
      const clients = 64;
      const pools = { bare: poolFor(bare.url, clients), movie: poolFor(stack.urls.movie, clients), gateway: poolFor(gw, clients) };
      const movie = stack.pid("movie")!;
      try {
        hops = await measureHops(
          [
            { name: "bare subgraph (Apollo standalone + @apollo/subgraph + pg)", pids: { bare: bare.pid }, send: () => postGraphQL(pools.bare, bare.url, trivial) },
            { name: "movie subgraph, direct", pids: { movie }, send: () => postGraphQL(pools.movie, stack.urls.movie, trivial, undefined, identity) },
            { name: "through the gateway (gateway + movie)", pids: { gateway: stack.pid("gateway")!, movie }, send: () => postGraphQL(pools.gateway, gw, trivial) },
          ],
          { clients, warmSeconds: WARM_SECONDS, turnSeconds: 5, turns: 4 },
        );
      } finally {
        await Promise.all(Object.values(pools).map((p) => p.close()));
        await bare.stop();
      }
    }

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
      await warm(() => send(n++), 100, WARM_SECONDS);
      const offset = n;
      const countersBefore = await scrape(stack.ports);
      const cpuBefore = stackCpuMs(stack);
      const machineBefore = machineBusyMs();
      const infraBefore = infraCpuMs();
      const loadBefore = process.cpuUsage();
      // The asynchronous work a booking causes (consumers, relays) is part of its cost: measured
      // from the start of the run until the stack is idle again after it.
      const run = await runClosedLoop({ name: "reserve e2e (100 clients, fresh seats)", clients: 100, seconds: SECONDS, maxRequests: fresh.length * perScreening - offset, send: (i) => send(offset + i) });
      results.push(run);
      rss = peakRss(stack);
      await settle(stack);
      const cpuAfter = stackCpuMs(stack);
      workPerBooking = perBooking(countersBefore, await scrape(stack.ports), run.ok);
      // After the CPU figures: writing a snapshot stops the process for a while.
      for (const name of heapSnapshots) await heapSnapshot(name, stack.pid(name as ProcessName)!, profileDir);
      const perBookingMs = (ms: number) => Math.round((ms / run.ok) * 10) / 10;
      cpuPerBooking = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, perBookingMs(cpuAfter[k]! - (cpuBefore[k] ?? 0))]));
      const ours = Object.keys(cpuAfter).reduce((sum, k) => sum + cpuAfter[k]! - (cpuBefore[k] ?? 0), 0);
      const infraAfter = infraCpuMs();
      const infra = { postgres: infraAfter.postgres - infraBefore.postgres, "nats-server": infraAfter["nats-server"] - infraBefore["nats-server"] };
      cpuPerBooking.postgres = perBookingMs(infra.postgres);
      cpuPerBooking["nats-server"] = perBookingMs(infra["nats-server"]);
      const load = process.cpuUsage(loadBefore);
      const loadMs = (load.user + load.system) / 1000;
      cpuPerBooking["load generator"] = perBookingMs(loadMs);
      // The kernel's own work (network, interrupts) and the machine's other daemons.
      cpuPerBooking.other = perBookingMs(machineBusyMs() - machineBefore - ours - infra.postgres - infra["nats-server"] - loadMs);
      // One customer alone: the latency of a booking when nothing else runs.
      let alone = offset + run.requests + 100;
      results.push(await runClosedLoop({ name: "reserve e2e, 1 client", clients: 1, seconds: SECONDS, send: () => send(alone++) }));
      await settle(stack);
      if (second) {
        // One gateway against two, in alternating turns (see the ceiling above).
        const pools = [poolFor(gw, 50), poolFor(second.url, 50)];
        const both = [{ pool: pools[0]!, url: gw }, { pool: pools[1]!, url: second.url }];
        let next = alone + 100;
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
  report(results, rss, cpuPerBooking, crowd, hops, workPerBooking);
}

/** Per booking, per process: its CPU and what it did (from each process's /metrics). */
function workTable(work: ReturnType<typeof perBooking>, cpu: Record<string, number>): string[] {
  const names = Object.keys(work);
  if (!names.length) return [];
  const counters = Object.keys(COUNTERS) as CounterName[];
  const sum = (c: CounterName) => Math.round(names.reduce((a, n) => a + (work[n]![c] ?? 0), 0) * 100) / 100;
  return [
    "",
    "Per confirmed booking, per process (the reserve run and the work it caused; from each process's /metrics):",
    "",
    `| process | CPU ms | ${counters.join(" | ")} |`,
    `|---|---|${counters.map(() => "---").join("|")}|`,
    ...names.map((n) => `| ${n} | ${cpu[n] ?? ""} | ${counters.map((c) => work[n]![c] ?? "").join(" | ")} |`),
    `| all | ${Math.round(names.reduce((a, n) => a + (cpu[n] ?? 0), 0) * 10) / 10} | ${counters.map(sum).join(" | ")} |`,
  ];
}

/** The hop table: CPU ms per request per process, and each hop against the bare subgraph. */
function hopTable(hops: HopCost[]): string[] {
  if (!hops.length) return [];
  const floor = hops[0]!.cpuMsPerRequest.bare ?? NaN;
  const ratio = (ms: number | undefined) => (ms === undefined ? "" : `${(ms / floor).toFixed(2)}×`);
  return [
    "",
    "The same trivial query, warm, alternating turns: CPU ms per request in each process (× the bare subgraph's).",
    "",
    "| path | requests | req/s | bare | movie | gateway | total |",
    "|---|---|---|---|---|---|---|",
    ...hops.map((h) => {
      const c = h.cpuMsPerRequest;
      const total = Object.values(c).reduce((a, b) => a + b, 0);
      const cell = (ms: number | undefined) => (ms === undefined ? "" : `${ms.toFixed(3)} (${ratio(ms)})`);
      return `| ${h.name} | ${h.requests} | ${h.rps} | ${cell(c.bare)} | ${cell(c.movie)} | ${cell(c.gateway)} | ${total.toFixed(3)} |`;
    }),
  ];
}

function report(results: LoadResult[], rss: Record<string, number>, cpu: Record<string, number>, crowd: (FlashCrowdResult & { soldSeats: number; rate: number }) | undefined, hops: HopCost[], work: ReturnType<typeof perBooking>) {
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
    ...hopTable(hops),
    "",
    `Peak RSS during the reserve run (MiB): ${Object.entries(rss).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    "",
    `CPU per confirmed booking (ms, the reserve run and the asynchronous work it caused): ${Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(", ")}; total ${Math.round(Object.values(cpu).reduce((a, b) => a + b, 0) * 10) / 10}.`,
    ...workTable(work, cpu),
    "",
  ].join("\n");
  console.log(`\n${text}`);
  if (ONLY.length) return; // a partial run is not a record
  const file = path.join(repoRoot, "BENCHMARKS.md");
  if (!existsSync(file)) writeFileSync(file, "# Benchmarks\n\nAppended by `npm run bench`; newest last. Each run measures every scenario against the same stack, so the ratios compare like with like.\n\n");
  appendFileSync(file, `${text}\n`);
}

await main();
