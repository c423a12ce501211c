// Launches the five subgraphs and the gateway as child processes: the one way the stack starts,
// for `npm run up` and for the tests.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { localDir, repoRoot } from "@cinema/platform/config";
import { writeSupergraph } from "../compose.ts";
import { createDatabase, databaseUrl, databaseUrlOverride, exited, freePort, isPortFree, isRunning, killOnExit, remember, stopChild } from "./infra.ts";
import { NODE_MEMORY_OPTIONS, TYPESCRIPT_FLAGS } from "./typescript.ts";
import { DATABASE_OWNERS, DEFAULT_PORTS, PROCESS_NAMES, SUBGRAPHS, WORKERS, databaseOf, type DatabaseOwner, type ProcessName, type SubgraphName } from "./subgraphs.ts";

export { PROCESS_NAMES, type ProcessName };
/** Started together, before the gateway. */
const BACKENDS = PROCESS_NAMES.filter((name): name is Exclude<ProcessName, "gateway"> => name !== "gateway");

export interface StackOptions {
  /** Server-level PostgreSQL URL; the subgraphs' databases are created on it. */
  serverUrl: string;
  natsUrl: string;
  /** Databases are `${dbPrefix}_movie` etc. (unless DATABASE_URL_<NAME> overrides one, see infra.ts). */
  dbPrefix: string;
  /** EVENTS_PREFIX: event subjects and the JetStream stream's name derive from it. */
  eventsPrefix: string;
  /** Fixed ports; the rest are free ones, or DEFAULT_PORTS when `useDefaultPorts` and they are free. */
  ports?: Partial<Record<ProcessName, number>>;
  useDefaultPorts?: boolean;
  /** Default: env JWT_SECRET, else a random secret for this stack. */
  jwtSecret?: string;
  /** Extra environment for every process (e.g. LOG_LEVEL, default "warn"), then per process. */
  env?: Record<string, string>;
  envFor?: Partial<Record<ProcessName, Record<string, string>>>;
  /** For tests of the launcher itself: a supergraph.yaml and where its composition goes (default: the repo's). */
  supergraphConfig?: string;
  supergraphFile?: string;
  /** Entry files relative to the repo root (test doubles); default subgraphs/<name>/server.ts, gateway/src/main.ts. */
  entries?: Partial<Record<ProcessName, string>>;
  /** Children's output: prefixed `[name]` on ours, appended to .local/logs/<dbPrefix>-<name>.log, or only kept for logs(). */
  log?: "inherit" | "file" | "silent";
  /** Per process; default 60 s. */
  readyTimeoutMs?: number;
}

export interface Stack {
  /** http://127.0.0.1:PORT/graphql */
  gatewayUrl: string;
  /** Each subgraph's /graphql URL. */
  urls: Record<SubgraphName, string>;
  databaseUrls: Record<DatabaseOwner, string>;
  ports: Record<ProcessName, number>;
  jwtSecret: string;
  /** What the processes were given, for tests that publish or inspect events themselves. */
  natsUrl: string;
  eventsPrefix: string;
  supergraphFile: string;
  /** (Re)starts a stopped process with the same port and environment and waits until it is ready. */
  start(name: ProcessName): Promise<void>;
  /** Signals the process and waits for it to exit (SIGKILL after 10 s). */
  stop(name: ProcessName, signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  stopAll(): Promise<void>;
  /** The last ~200 lines of the process's output (kept across restarts), for failing tests. */
  logs(name: ProcessName): string;
  /** The running process's pid (for the benchmark's memory figures); undefined when stopped. */
  pid(name: ProcessName): number | undefined;
  /**
   * Starts another replica of a process (e.g. a second seat subgraph behind a load balancer) with
   * the same environment as the stack's own, on `port` (default: a free one) plus `envOverrides`.
   * `port` may be a stopped process's own (to swap in a differently configured instance); stopAll
   * stops extras too.
   */
  startExtra(name: ProcessName, opts?: { port?: number; envOverrides?: Record<string, string> }): Promise<ExtraProcess>;
}

/** A replica started by `startExtra`: same contract as the stack's own processes. */
export interface ExtraProcess {
  name: ProcessName;
  port: number;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** (Re)starts it on the same port and environment and waits until it is ready. */
  start(): Promise<void>;
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  logs(): string;
}

interface Proc {
  name: ProcessName;
  /** Log prefix and file name when not the name (extra replicas). */
  label?: string;
  port: number;
  env: NodeJS.ProcessEnv;
  entry: string;
  lines: string[];
  child?: ChildProcess;
}

const guard = pathToFileURL(path.join(import.meta.dirname, "orphan-guard.ts")).href;
/** OpenTelemetry, preloaded like in the image (deploy/start.sh); a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
const tracing = pathToFileURL(path.join(repoRoot, "packages/platform/src/tracing.ts")).href;
const defaultEntry = (name: ProcessName) =>
  name === "gateway" ? "gateway/src/main.ts" : (WORKERS as readonly string[]).includes(name) ? `workers/${name}/worker.ts` : `subgraphs/${name}/server.ts`;
const envKey = (name: SubgraphName) => `SUBGRAPH_URL_${name.toUpperCase()}`;
/**
 * On one machine everything shares its cores, and the gateway's front door is what answers first:
 * it admits bookings and refuses the surplus. The processes behind it run at a lower CPU priority
 * (STACK_BACKEND_NICE, 5; 0 for none), so under overload the gateway is not queued behind them and
 * refuses at once (3× capacity for 20 s: refusals p99 29–30 ms against 61–112 ms at one priority,
 * goodput unchanged: BENCHMARKS.md). Kubernetes gives the gateway CPU of its own instead.
 */
const BACKEND_NICE = Number(process.env.STACK_BACKEND_NICE ?? 5);

export async function startStack(opts: StackOptions): Promise<Stack> {
  const ports = await choosePorts(opts);
  const localUrl = (name: ProcessName) => `http://127.0.0.1:${ports[name]}/graphql`;
  const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, localUrl(name)])) as Record<SubgraphName, string>;

  const databaseUrls = {} as Record<DatabaseOwner, string>;
  for (const name of DATABASE_OWNERS) {
    const override = databaseUrlOverride(name);
    const dbName = `${opts.dbPrefix}_${name}`;
    // One at a time: concurrent CREATE DATABASE from template1 can fail ("being accessed by other users").
    if (!override) await createDatabase(opts.serverUrl, dbName);
    databaseUrls[name] = override ?? databaseUrl(opts.serverUrl, dbName);
  }
  const supergraphFile = writeSupergraph(opts.supergraphFile, opts.supergraphConfig).file;
  const jwtSecret = opts.jwtSecret ?? process.env.JWT_SECRET ?? randomBytes(32).toString("base64url");

  const shared: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: process.env.NODE_OPTIONS ?? NODE_MEMORY_OPTIONS,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    NATS_URL: opts.natsUrl,
    EVENTS_PREFIX: opts.eventsPrefix,
    JWT_SECRET: jwtSecret,
    ...Object.fromEntries(SUBGRAPHS.map((name) => [envKey(name), urls[name]])),
    ...opts.env,
  };
  const procs = Object.fromEntries(
    PROCESS_NAMES.map((name): [ProcessName, Proc] => {
      const own = name === "gateway" ? { SUPERGRAPH_FILE: supergraphFile } : { DATABASE_URL: databaseUrls[databaseOf(name)] };
      const env = { ...shared, PORT: String(ports[name]), SERVICE_NAME: name, ...own, ...opts.envFor?.[name] };
      return [name, { name, port: ports[name], env, entry: opts.entries?.[name] ?? defaultEntry(name), lines: [] }];
    }),
  ) as Record<ProcessName, Proc>;

  const logDir = path.join(localDir, "logs");
  if (opts.log === "file") mkdirSync(logDir, { recursive: true });
  const output = (proc: Proc, line: string, toStderr: boolean) => {
    remember(proc.lines, line);
    const label = proc.label ?? proc.name;
    if (opts.log === "inherit") (toStderr ? process.stderr : process.stdout).write(`[${label}] ${line}\n`);
    // Synchronous appends: nothing to close, and lines that arrive after stopAll still land.
    if (opts.log === "file") appendFileSync(path.join(logDir, `${opts.dbPrefix}-${label}.log`), `${line}\n`);
  };

  const start = (name: ProcessName) => launch(procs[name]);
  const launch = async (proc: Proc) => {
    if (proc.child && isRunning(proc.child)) return;
    const child = spawn(process.execPath, [...TYPESCRIPT_FLAGS, "--import", tracing, "--import", guard, proc.entry], {
      cwd: repoRoot,
      env: proc.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.child = child;
    killOnExit(child);
    if (proc.name !== "gateway" && BACKEND_NICE > 0 && child.pid) {
      try {
        os.setPriority(child.pid, BACKEND_NICE);
      } catch {
        // Already gone: waitReady says why.
      }
    }
    createInterface({ input: child.stdout! }).on("line", (line) => output(proc, line, false));
    createInterface({ input: child.stderr! }).on("line", (line) => output(proc, line, true));
    child.once("error", (err) => output(proc, `[launcher] ${err.message}`, true));
    child.once("exit", (code, signal) => output(proc, `[launcher] exited (${signal ?? `code ${code}`})`, true));
    await waitReady(proc, child, opts.readyTimeoutMs ?? 60_000);
  };
  const stop = async (name: ProcessName, signal: "SIGTERM" | "SIGKILL" = "SIGTERM") => {
    const child = procs[name].child;
    if (child) await stopChild(child, signal);
  };
  const extras: Proc[] = [];
  const startExtra = async (name: ProcessName, extra: { port?: number; envOverrides?: Record<string, string> } = {}): Promise<ExtraProcess> => {
    const base = procs[name];
    let port = extra.port ?? 0;
    const taken = new Set([...Object.values(ports), ...extras.map((p) => p.port)]);
    while (port === 0 || (!extra.port && taken.has(port))) port = await freePort();
    const proc: Proc = { ...base, label: `${name}-${extras.length + 2}`, port, env: { ...base.env, PORT: String(port), ...extra.envOverrides }, lines: [], child: undefined };
    extras.push(proc);
    await launch(proc);
    return {
      name,
      port,
      url: `http://127.0.0.1:${port}/graphql`,
      start: () => launch(proc),
      stop: async (signal = "SIGTERM") => {
        if (proc.child) await stopChild(proc.child, signal);
      },
      logs: () => proc.lines.join("\n"),
    };
  };
  const stopAll = async () => {
    await stop("gateway");
    await Promise.all(extras.map((proc) => proc.child && stopChild(proc.child)));
    await Promise.all(BACKENDS.map((name) => stop(name)));
  };

  try {
    await Promise.all(BACKENDS.map(start));
    await start("gateway");
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    gatewayUrl: localUrl("gateway"),
    urls,
    databaseUrls,
    ports,
    jwtSecret,
    natsUrl: opts.natsUrl,
    eventsPrefix: opts.eventsPrefix,
    supergraphFile,
    start,
    stop,
    stopAll,
    logs: (name) => procs[name].lines.join("\n"),
    pid: (name) => procs[name].child?.pid,
    startExtra,
  };
}

async function choosePorts(opts: StackOptions): Promise<Record<ProcessName, number>> {
  const ports = {} as Record<ProcessName, number>;
  const taken = new Set<number>();
  for (const name of PROCESS_NAMES) {
    let port = opts.ports?.[name] ?? (opts.useDefaultPorts && (await isPortFree(DEFAULT_PORTS[name])) ? DEFAULT_PORTS[name] : 0);
    while (port === 0 || taken.has(port)) port = await freePort(); // the kernel may hand out a port twice
    taken.add(port);
    ports[name] = port;
  }
  return ports;
}

/** Polls GET /health/ready until 200; rejects with the process's recent output if it exits or times out. */
async function waitReady(proc: Proc, child: ChildProcess, timeoutMs: number): Promise<void> {
  const readyUrl = `http://127.0.0.1:${proc.port}/health/ready`;
  let gone = false;
  void exited(child).then(() => (gone = true));
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    if (gone) throw new Error(`${proc.name} exited before it was ready; recent output:\n${proc.lines.join("\n")}`);
    const status = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => (void res.body?.cancel(), res.status),
      () => 0,
    );
    if (status === 200) return;
  }
  throw new Error(`${proc.name} was not ready within ${timeoutMs / 1000} s at ${readyUrl}; recent output:\n${proc.lines.join("\n")}`);
}
