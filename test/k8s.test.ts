// The Kubernetes manifests (deploy/k8s), rendered as an operator would (`kubectl kustomize`, the
// kustomize built into kubectl), checked without a cluster:
// - every object against the Kubernetes API schema of the kubernetes-models package (its validators:
//   types, required fields, enums), and strictly (no field the API does not know: a typo like
//   `readinesProbe` would be dropped silently by a cluster), like kubeconform -strict;
// - against the code, as test/deploy-files.test.ts does for compose.yaml: every process of the
//   registry has its Deployment, Service, HPA and PDB; probes reach the port the process listens on;
//   the environment is the one compose.yaml gives (which deploy-files checks against the code);
//   every Secret and ConfigMap used exists; the HPAs target what exists; shutdown fits its grace.
// The last part breaks a copy on purpose and expects these checks to say so. Fast; no network.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { DATABASE_OWNERS, DEFAULT_PORTS, PROCESS_NAMES, WORKERS, databaseOf, type ProcessName } from "../scripts/lib/subgraphs.ts";
import { kustomize } from "../scripts/lib/tools.ts";
import { TYPESCRIPT_FLAGS } from "../scripts/lib/typescript.ts";

const root = path.resolve(import.meta.dirname, "..");
const K8S = path.join(root, "deploy/k8s");
const OVERLAYS = ["dev", "production"] as const;
type Overlay = (typeof OVERLAYS)[number];
type Obj = Record<string, any>;

// ---------------------------------------------------------------------------------------------
// Rendering: the kustomize in kubectl, or a standalone kustomize (found or fetched by tools.ts).
function render(dir: string): Obj[] {
  const [cmd, ...args] = kustomize();
  const out = execFileSync(cmd!, [...args, dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 32 << 20 });
  return YAML.parseAllDocuments(out).map((d) => d.toJS() as Obj).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Schema: kubernetes-models' validators, plus unknown fields found from its type declarations.
const require = createRequire(import.meta.url);
const modelsDir = path.dirname(require.resolve("kubernetes-models/package.json"));
const modelPath = (apiVersion: string, kind: string) => `${apiVersion.includes("/") ? apiVersion : `v1`}/${kind}`;

function validateSchema(obj: Obj): string[] {
  const where = `${obj.kind}/${obj.metadata?.name}`;
  const file = path.join(modelsDir, `${modelPath(String(obj.apiVersion), String(obj.kind))}.d.ts`);
  if (!existsSync(file)) return [`${where}: no schema for ${obj.apiVersion} ${obj.kind}`];
  const mod = require(`kubernetes-models/${modelPath(obj.apiVersion, obj.kind)}`) as Record<string, new (data: Obj) => { validate(): void }>;
  const problems: string[] = [];
  try {
    new mod[obj.kind]!(structuredClone(obj)).validate();
  } catch (err) {
    problems.push(`${where}: ${(err as Error).message}`);
  }
  for (const field of unknownFields(obj, typeAt(file))) problems.push(`${where}: unknown field ${field}`);
  return problems;
}

/** A type from a .d.ts: an interface's properties (name → type text) with where its names resolve. */
interface DtsType {
  file: string;
  props: Map<string, string>;
}
const dtsCache = new Map<string, DtsType | null>();
/** The interface a model's .d.ts declares; null for an alias (IntOrString, Quantity…): a leaf. */
function typeAt(file: string): DtsType | null {
  if (dtsCache.has(file)) return dtsCache.get(file)!;
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\n\s*\n/g, "\n");
  const m = /export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)\n\}/.exec(text);
  let type: DtsType | null = null;
  if (m) {
    const props = new Map<string, string>();
    let current: [string, string] | undefined;
    const flush = () => current && props.set(current[0], current[1].replace(/\s+/g, " ").replace(/;\s*$/, ""));
    for (const line of m[1]!.split("\n")) {
      const prop = /^ {4}"([^"]+)"\??: (.*)$/.exec(line);
      if (prop) {
        flush();
        current = [prop[1]!, prop[2]!];
      } else if (current) current[1] += ` ${line.trim()}`;
    }
    flush();
    type = { file, props };
  }
  dtsCache.set(file, type);
  return type;
}
/** Where an interface name imported by `file` is declared. */
function resolveImport(file: string, name: string): string | undefined {
  const text = readFileSync(file, "utf8");
  const m = new RegExp(`import \\{ ${name} \\} from "([^"]+)"`).exec(text);
  if (!m) return undefined;
  const spec = m[1]!;
  if (spec.startsWith(".")) return path.resolve(path.dirname(file), `${spec}.d.ts`);
  const pkg = spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
  const pkgDir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [path.dirname(file)] }));
  return path.join(pkgDir, `${spec.slice(pkg.length)}.d.ts`);
}
function unknownFields(value: unknown, type: DtsType | null, at = ""): string[] {
  if (!type || value === null || typeof value !== "object" || Array.isArray(value)) return [];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const t = type.props.get(key);
    if (t === undefined) {
      out.push(`${at}.${key}`);
      continue;
    }
    out.push(...checkAgainst(v, t, type.file, `${at}.${key}`));
  }
  return out;
}
function checkAgainst(value: unknown, typeText: string, file: string, at: string): string[] {
  const array = /^Array<(.+)>$/.exec(typeText);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => checkAgainst(v, array[1]!, file, `${at}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeText);
  if (map) return value && typeof value === "object" ? Object.entries(value).flatMap(([k, v]) => checkAgainst(v, map[1]!, file, `${at}.${k}`)) : [];
  if (/^I\w+$/.test(typeText)) {
    const target = resolveImport(file, typeText);
    return target && existsSync(target) ? unknownFields(value, typeAt(target), at) : [];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// The cross-checks: problems(objects) lists what is wrong, so a broken copy can be shown to fail.
const composeEnv = (() => {
  const compose = YAML.parse(readFileSync(path.join(root, "compose.yaml"), "utf8"), { merge: true }) as { services: Record<string, { environment?: Record<string, unknown> }> };
  return (name: string) => Object.keys(compose.services[name]?.environment ?? {});
})();
const secretTemplates = YAML.parseAllDocuments(readFileSync(path.join(K8S, "secrets.example.yaml"), "utf8")).map((d) => d.toJS() as Obj);

const of = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: Obj[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata?.name === name);
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const podSpecOf = (o: Obj): Obj | undefined => (o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec);
const workloads = (objs: Obj[]) => objs.filter((o) => ["Deployment", "StatefulSet", "Job", "DaemonSet"].includes(o.kind));
const envValue = (container: Obj, key: string): string | undefined => container.env?.find((e: Obj) => e.name === key)?.value;
const durationMs = (cmd: string[] | undefined) => (cmd?.[0] === "sleep" ? Number(cmd[1]) * 1000 : 0);

/** Every key a container's environment has, and where each comes from. */
function environment(objs: Obj[], container: Obj): Map<string, { value?: string; secret?: [string, string] }> {
  const env = new Map<string, { value?: string; secret?: [string, string] }>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) for (const [k, v] of Object.entries(named(objs, "ConfigMap", from.configMapRef.name)?.data ?? {})) env.set(k, { value: String(v) });
    if (from.secretRef) for (const t of secretTemplates.filter((s) => s.metadata.name === from.secretRef.name)) for (const k of Object.keys(t.stringData ?? {})) env.set(k, { secret: [from.secretRef.name, k] });
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    env.set(e.name, ref ? { secret: [ref.name, ref.key] } : { value: e.value ?? named(objs, "ConfigMap", e.valueFrom?.configMapKeyRef?.name)?.data?.[e.valueFrom?.configMapKeyRef?.key] });
  }
  return env;
}

function problems(objs: Obj[], overlay: Overlay): string[] {
  const out: string[] = [];
  const fail = (msg: string) => out.push(msg);
  const production = overlay === "production";

  // Names are unique per kind.
  const seen = new Set<string>();
  for (const o of objs) {
    const id = `${o.kind}/${o.metadata?.name}`;
    if (seen.has(id)) fail(`${id}: defined twice`);
    seen.add(id);
  }

  // Every process of the registry: a Deployment running it, on the port its PORT says.
  for (const name of PROCESS_NAMES) {
    const deployment = named(objs, "Deployment", name);
    if (!deployment) {
      fail(`${name}: no Deployment`);
      continue;
    }
    const spec = deployment.spec ?? {};
    const pod = spec.template?.spec ?? {};
    const podLabels = spec.template?.metadata?.labels;
    if (!matches(spec.selector?.matchLabels, podLabels)) fail(`${name}: the Deployment's selector does not match its pods`);
    const containers: Obj[] = pod.containers ?? [];
    const c = containers.find((x) => envValue(x, "SERVICE") === name);
    if (!c) {
      fail(`${name}: no container with SERVICE=${name}`);
      continue;
    }
    const port = Number(envValue(c, "PORT"));
    if (port !== DEFAULT_PORTS[name]) fail(`${name}: PORT ${envValue(c, "PORT")}, expected ${DEFAULT_PORTS[name]} (scripts/lib/subgraphs.ts)`);
    const containerPort = (ref: unknown) => (typeof ref === "number" ? ref : c.ports?.find((p: Obj) => p.name === ref)?.containerPort);
    if (!c.ports?.some((p: Obj) => p.containerPort === port)) fail(`${name}: the container does not declare port ${port}`);

    // Probes on the process's own port and endpoints.
    for (const [probe, pathWanted] of [["readinessProbe", "/health/ready"], ["livenessProbe", "/health/live"]] as const) {
      const get = c[probe]?.httpGet;
      if (!get) fail(`${name}: no ${probe} (httpGet)`);
      else {
        if (get.path !== pathWanted) fail(`${name}: ${probe} asks ${get.path}, not ${pathWanted}`);
        if (containerPort(get.port) !== port) fail(`${name}: ${probe} port ${get.port} is not the process's port ${port}`);
      }
    }
    const startup = c.startupProbe?.httpGet;
    if (startup && containerPort(startup.port) !== port) fail(`${name}: startupProbe port ${startup.port} is not ${port}`);

    // The environment: what compose.yaml gives the process (checked against the code), here too.
    const env = environment(objs, c);
    for (const key of composeEnv(name)) if (!env.has(key)) fail(`${name}: ${key} is not set (compose.yaml sets it)`);
    if (name !== "gateway") {
      const db = env.get("DATABASE_URL")?.secret;
      const wanted = `cinema-db-${databaseOf(name)}`;
      if (!db || db[0] !== wanted) fail(`${name}: DATABASE_URL must come from Secret ${wanted}, got ${JSON.stringify(env.get("DATABASE_URL"))}`);
    }
    if (!env.get("JWT_SECRET")?.secret) fail(`${name}: JWT_SECRET must come from a Secret`);
    for (const [key, source] of env) {
      const m = /^SUBGRAPH_URL_(.+)$/.exec(key);
      if (!m || !source.value) continue;
      const target = m[1]!.toLowerCase() as ProcessName;
      const url = new URL(source.value);
      const svc = named(objs, "Service", url.hostname);
      const svcPort = svc?.spec?.ports?.find((p: Obj) => String(p.port) === url.port);
      const targetContainer = named(objs, "Deployment", target)?.spec?.template?.spec?.containers?.[0];
      const tp = svcPort && (typeof svcPort.targetPort === "number" ? svcPort.targetPort : targetContainer?.ports?.find((p: Obj) => p.name === svcPort.targetPort)?.containerPort);
      if (!svc || !matches(svc.spec?.selector, named(objs, "Deployment", target)?.spec?.template?.metadata?.labels)) fail(`${name}: ${key} → no Service ${url.hostname} selecting ${target}'s pods`);
      else if (tp !== DEFAULT_PORTS[target]) fail(`${name}: ${key} → ${url.host} does not reach ${target}'s port ${DEFAULT_PORTS[target]}`);
      if (url.pathname !== "/graphql") fail(`${name}: ${key} must end in /graphql`);
    }
    const nats = env.get("NATS_URL")?.value;
    if (!nats) fail(`${name}: no NATS_URL`);
    else {
      for (const server of nats.split(",")) {
        const u = new URL(server);
        const host = u.hostname.split(".")[0]!;
        const svc = named(objs, "Service", host);
        const sts = of(objs, "StatefulSet").find((s) => matches(svc?.spec?.selector, s.spec?.template?.metadata?.labels));
        if (!svc || !sts) fail(`${name}: NATS_URL ${server}: no Service selecting the NATS StatefulSet`);
        else if (!svc.spec.ports?.some((p: Obj) => String(p.port) === (u.port || "4222"))) fail(`${name}: NATS_URL ${server}: the Service has no such port`);
      }
    }

    // Scaling: an HPA owns the replica count; a disruption budget keeps one up.
    const hpa = of(objs, "HorizontalPodAutoscaler").find((h) => h.spec?.scaleTargetRef?.kind === "Deployment" && h.spec.scaleTargetRef.name === name);
    if (!hpa) fail(`${name}: no HorizontalPodAutoscaler`);
    else {
      if (spec.replicas !== undefined) fail(`${name}: spec.replicas is set although an HPA scales it (every apply would reset it)`);
      const cpu = hpa.spec.metrics?.find((m: Obj) => m.type === "Resource" && m.resource?.name === "cpu")?.resource?.target;
      if (cpu?.type !== "Utilization" || cpu.averageUtilization !== 30) fail(`${name}: the HPA must target 30 % CPU utilization`);
      if (production && (hpa.spec.minReplicas !== 2 || hpa.spec.maxReplicas !== 10)) fail(`${name}: production HPA must scale 2..10, has ${hpa.spec.minReplicas}..${hpa.spec.maxReplicas}`);
      if (!production && (hpa.spec.minReplicas ?? 1) > hpa.spec.maxReplicas) fail(`${name}: HPA min above max`);
      if (!c.resources?.requests?.cpu) fail(`${name}: the HPA needs a CPU request to compute utilization`);
    }
    const pdb = of(objs, "PodDisruptionBudget").find((p) => matches(p.spec?.selector?.matchLabels, podLabels));
    if (!pdb) fail(`${name}: no PodDisruptionBudget`);
    else if (production && pdb.spec.minAvailable !== 1) fail(`${name}: PodDisruptionBudget minAvailable must be 1, is ${pdb.spec.minAvailable}`);

    // Shutdown: preStop plus the app's drain budget fit in the grace period.
    const shutdownMs = Number(env.get("SHUTDOWN_TIMEOUT_MS")?.value ?? 10_000);
    const preStopMs = durationMs(c.lifecycle?.preStop?.exec?.command);
    const graceMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
    if (graceMs <= shutdownMs + preStopMs) fail(`${name}: terminationGracePeriodSeconds ${graceMs / 1000} s is not above preStop ${preStopMs / 1000} s + SHUTDOWN_TIMEOUT_MS ${shutdownMs / 1000} s`);

    // A Service for it (metrics scraping for workers, traffic for the rest).
    const svc = named(objs, "Service", name);
    if (!svc || !matches(svc.spec?.selector, podLabels)) fail(`${name}: no Service selecting its pods`);
    else if (!svc.spec.ports?.some((p: Obj) => containerPort(p.targetPort) === port)) fail(`${name}: its Service does not reach port ${port}`);
  }

  // Every workload: image, resources, restricted security, references that exist.
  const appImages = new Set<string>();
  for (const w of workloads(objs)) {
    const where = `${w.kind}/${w.metadata.name}`;
    const pod = podSpecOf(w) ?? {};
    if (pod.securityContext?.runAsNonRoot !== true) fail(`${where}: pods must run as non-root`);
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])] as Obj[]) {
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) fail(`${where}/${c.name}: needs cpu and memory requests and a memory limit`);
      if (c.securityContext?.allowPrivilegeEscalation !== false || !c.securityContext?.capabilities?.drop?.includes("ALL")) fail(`${where}/${c.name}: must drop privileges (restricted pod security)`);
      if (!/^nats:|^postgres:/.test(c.image)) appImages.add(c.image);
      for (const [key, source] of environment(objs, c)) {
        if (!source.secret) continue;
        const [secret, secretKey] = source.secret;
        const template = secretTemplates.find((s) => s.metadata?.name === secret);
        if (!template) fail(`${where}: ${key} uses Secret ${secret}, which deploy/k8s/secrets.example.yaml does not define`);
        else if (!(secretKey in (template.stringData ?? {}))) fail(`${where}: ${key} uses key ${secretKey} of Secret ${secret}, not in the template`);
      }
      for (const from of c.envFrom ?? []) if (from.configMapRef && !named(objs, "ConfigMap", from.configMapRef.name)) fail(`${where}: envFrom ConfigMap ${from.configMapRef.name} does not exist`);
      for (const mount of c.volumeMounts ?? []) {
        if (!pod.volumes?.some((v: Obj) => v.name === mount.name) && !w.spec?.volumeClaimTemplates?.some((v: Obj) => v.metadata?.name === mount.name)) fail(`${where}: volume ${mount.name} is mounted but not defined`);
      }
    }
    for (const v of pod.volumes ?? []) {
      if (v.configMap && !named(objs, "ConfigMap", v.configMap.name)) fail(`${where}: volume ConfigMap ${v.configMap.name} does not exist`);
      if (v.secret && !secretTemplates.some((s) => s.metadata?.name === v.secret.secretName)) fail(`${where}: volume Secret ${v.secret.secretName} is not in the template`);
    }
  }
  if (appImages.size !== 1) fail(`the platform's containers must all run one image, found ${[...appImages].join(", ")}`);
  if (production && [...appImages].some((i) => !/:[\w.-]+$/.test(i) || /:latest$/.test(i))) fail(`production must pin the image's tag, got ${[...appImages].join(", ")}`);

  // HPAs and PDBs point at what exists.
  for (const h of of(objs, "HorizontalPodAutoscaler")) {
    const ref = h.spec?.scaleTargetRef ?? {};
    const target = named(objs, ref.kind, ref.name);
    if (!target || target.apiVersion !== ref.apiVersion) fail(`HorizontalPodAutoscaler/${h.metadata.name}: target ${ref.apiVersion} ${ref.kind}/${ref.name} does not exist`);
  }
  for (const p of of(objs, "PodDisruptionBudget")) {
    if (!workloads(objs).some((w) => matches(p.spec?.selector?.matchLabels, w.spec?.template?.metadata?.labels))) fail(`PodDisruptionBudget/${p.metadata.name}: selects no pods`);
  }
  for (const s of of(objs, "Service")) {
    if (!workloads(objs).some((w) => matches(s.spec?.selector, w.spec?.template?.metadata?.labels))) fail(`Service/${s.metadata.name}: selects no pods`);
  }

  // The migration Jobs: one per database, with that database's URL.
  for (const owner of DATABASE_OWNERS) {
    const job = of(objs, "Job").find((j) => podSpecOf(j)?.containers?.some((c: Obj) => envValue(c, "SERVICE") === owner));
    const c = job && podSpecOf(job)!.containers[0];
    if (!c) fail(`${owner}: no migration Job`);
    else {
      if (c.command?.join(" ") !== "node scripts/migrate.ts") fail(`Job/${job!.metadata.name}: must run node scripts/migrate.ts`);
      if (c.env?.find((e: Obj) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef?.name !== `cinema-db-${owner}`) fail(`Job/${job!.metadata.name}: DATABASE_URL must come from cinema-db-${owner}`);
    }
  }
  for (const w of WORKERS) if (databaseOf(w) !== w && of(objs, "Job").some((j) => envValue(podSpecOf(j)!.containers[0], "SERVICE") === w)) fail(`${w}: shares ${databaseOf(w)}'s database and needs no migration Job`);

  // NATS: a 3-server JetStream cluster whose routes name each server, on its own volume.
  const nats = named(objs, "StatefulSet", "nats");
  if (!nats) fail("no NATS StatefulSet");
  else {
    const replicas: number = nats.spec.replicas;
    if (replicas !== 3) fail(`NATS: ${replicas} replicas, expected 3`);
    const c = nats.spec.template.spec.containers[0];
    const configVolume = nats.spec.template.spec.volumes?.find((v: Obj) => v.configMap);
    const conf: string = named(objs, "ConfigMap", configVolume?.configMap?.name)?.data?.["nats.conf"] ?? "";
    const confMount = c.volumeMounts?.find((m: Obj) => m.name === configVolume?.name)?.mountPath;
    if (!c.command?.join(" ").includes(`${confMount}/nats.conf`)) fail("NATS: the server is not started with its nats.conf");
    if (!/server_name:\s*\$POD_NAME/.test(conf) || !c.env?.some((e: Obj) => e.name === "POD_NAME" && e.valueFrom?.fieldRef?.fieldPath === "metadata.name")) fail("NATS: each server must be named after its pod");
    const store = /store_dir:\s*(\S+)/.exec(conf)?.[1];
    if (!/jetstream\s*\{/.test(conf) || !store) fail("NATS: JetStream with a store_dir");
    else if (!c.volumeMounts?.some((m: Obj) => m.mountPath === store && nats.spec.volumeClaimTemplates?.some((v: Obj) => v.metadata.name === m.name))) fail(`NATS: store_dir ${store} is not on a persistent volume`);
    const clusterPort = /cluster\s*\{[\s\S]*?listen:\s*[\d.]+:(\d+)/.exec(conf)?.[1];
    const routes = [...(/routes:\s*\[([\s\S]*?)\]/.exec(conf)?.[1] ?? "").matchAll(/nats:\/\/([^:\s]+):(\d+)/g)];
    const headless = named(objs, "Service", nats.spec.serviceName);
    if (!headless || headless.spec.clusterIP !== "None") fail("NATS: serviceName must be a headless Service");
    const wanted = Array.from({ length: replicas }, (_, i) => `${nats.metadata.name}-${i}.${nats.spec.serviceName}`);
    if (routes.map((r) => r[1]).sort().join() !== wanted.sort().join()) fail(`NATS: routes ${routes.map((r) => r[1]).join(", ")} must name ${wanted.join(", ")}`);
    if (routes.some((r) => r[2] !== clusterPort)) fail("NATS: routes must use the cluster port");
    const streamReplicas = Number(new Map(of(objs, "ConfigMap").flatMap((m) => Object.entries(m.data ?? {}))).get("NATS_STREAM_REPLICAS") ?? 1);
    if (streamReplicas > replicas) fail(`NATS_STREAM_REPLICAS ${streamReplicas} is more than the ${replicas} servers`);
    const pdb = of(objs, "PodDisruptionBudget").find((p) => matches(p.spec?.selector?.matchLabels, nats.spec.template.metadata.labels));
    if (!pdb || pdb.spec.minAvailable < Math.floor(replicas / 2) + 1) fail("NATS: a PodDisruptionBudget must keep a quorum");
  }

  // The gateway, reached from outside through the Ingress.
  const ingresses = of(objs, "Ingress");
  if (ingresses.length !== 1) fail(`expected one Ingress, found ${ingresses.length}`);
  for (const ing of ingresses) {
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const backend = p.backend?.service;
        const svc = named(objs, "Service", backend?.name);
        if (backend?.name !== "gateway") fail(`Ingress: routes ${p.path} to ${backend?.name}, not the gateway`);
        if (!svc?.spec?.ports?.some((sp: Obj) => sp.name === backend?.port?.name || sp.port === backend?.port?.number)) fail(`Ingress: Service ${backend?.name} has no port ${JSON.stringify(backend?.port)}`);
      }
    }
    for (const tls of ing.spec?.tls ?? []) if (!secretTemplates.some((s) => s.metadata?.name === tls.secretName)) fail(`Ingress: TLS Secret ${tls.secretName} is not in the template`);
    if (production && (!ing.spec?.tls?.length || !ing.spec.rules?.every((r: Obj) => r.host))) fail("Ingress: production needs a host and TLS");
  }
  return out;
}

// =============================================================================================
const rendered = {} as Record<Overlay, Obj[]>;
beforeAll(() => {
  for (const overlay of OVERLAYS) rendered[overlay] = render(path.join(K8S, "overlays", overlay));
});

describe.each(OVERLAYS)("overlay %s", (overlay) => {
  it("renders, in its own namespace", () => {
    const objs = rendered[overlay];
    expect(objs.length).toBeGreaterThan(40);
    const ns = of(objs, "Namespace");
    expect(ns).toHaveLength(1);
    for (const o of objs) if (o.kind !== "Namespace") expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(ns[0]!.metadata.name);
    expect(ns[0]!.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("validates every object against the Kubernetes API schema, strictly", () => {
    const all = rendered[overlay].flatMap(validateSchema);
    expect(all).toEqual([]);
  });

  it("matches the code: processes, ports, probes, environment, secrets, scaling, shutdown", () => {
    expect(problems(rendered[overlay], overlay)).toEqual([]);
  });
});

describe("secrets", () => {
  it("are templates only: never in the rendered output, every value a placeholder", () => {
    for (const overlay of OVERLAYS) expect(of(rendered[overlay], "Secret"), overlay).toEqual([]);
    expect(secretTemplates.length).toBeGreaterThan(0);
    for (const s of secretTemplates) {
      expect(s.data, `${s.metadata.name}: use stringData placeholders`).toBeUndefined();
      for (const [k, v] of Object.entries(s.stringData ?? {})) expect(String(v), `${s.metadata.name}.${k}`).toMatch(/^REPLACE_WITH_/);
    }
    const names = secretTemplates.map((s) => s.metadata.name);
    for (const owner of DATABASE_OWNERS) expect(names).toContain(`cinema-db-${owner}`);
    expect(names).toContain("cinema-jwt");
  });
});

describe("the dev overlay's PostgreSQL", () => {
  it("creates the same databases as compose's init script, one per database owner", () => {
    const dbs = (file: string) => [...readFileSync(file, "utf8").matchAll(/^CREATE DATABASE (\w+);/gm)].map((m) => m[1]).sort();
    const wanted = DATABASE_OWNERS.map((o) => `cinema_${o}`).sort();
    expect(dbs(path.join(K8S, "overlays/dev/postgres-init.sql"))).toEqual(wanted);
    expect(dbs(path.join(root, "deploy/postgres-init/01-databases.sql"))).toEqual(wanted);
  });
});

describe("scripts/migrate.ts (the migration Jobs' command)", () => {
  it("exists and refuses a process without a database", () => {
    expect(existsSync(path.join(root, "scripts/migrate.ts"))).toBe(true);
    const res = spawnSync(process.execPath, [...TYPESCRIPT_FLAGS, "scripts/migrate.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, SERVICE: "gateway", DATABASE_URL: "postgresql://nowhere.invalid/x" } });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(/SERVICE must be a process with a database/);
  });
});

// =============================================================================================
// Broken on purpose: the checks above must catch each of these.
describe("catches a broken manifest", () => {
  const production = () => structuredClone(rendered.production);
  const container = (objs: Obj[], name: string) => named(objs, "Deployment", name)!.spec.template.spec.containers[0] as Obj;
  const breakages: [string, (objs: Obj[]) => void, RegExp][] = [
    ["a process without its Deployment", (o) => o.splice(o.indexOf(named(o, "Deployment", "seat")!), 1), /seat: no Deployment/],
    ["a readiness probe on the wrong port", (o) => (container(o, "payment").readinessProbe.httpGet.port = 8080), /payment: readinessProbe port 8080/],
    ["a liveness probe on the wrong path", (o) => (container(o, "movie").livenessProbe.httpGet.path = "/healthz"), /movie: livenessProbe asks \/healthz/],
    ["PORT that is not the registry's", (o) => (container(o, "mypage").env.find((e: Obj) => e.name === "PORT").value = "5000"), /mypage: PORT 5000/],
    ["a missing variable compose gives", (o) => (container(o, "reservation").envFrom = []), /reservation: NATS_URL is not set/],
    ["the wrong database", (o) => (container(o, "ticketing").env.find((e: Obj) => e.name === "DATABASE_URL").valueFrom.secretKeyRef.name = "cinema-db-ticketing"), /ticketing: DATABASE_URL must come from Secret cinema-db-reservation/],
    ["a Secret the template lacks", (o) => (container(o, "gateway").env.find((e: Obj) => e.name === "JWT_SECRET").valueFrom.secretKeyRef.name = "jwt"), /uses Secret jwt/],
    ["an HPA aimed at nothing", (o) => (named(o, "HorizontalPodAutoscaler", "seat")!.spec.scaleTargetRef.name = "seats"), /HorizontalPodAutoscaler\/seat: target apps\/v1 Deployment\/seats does not exist/],
    ["replicas next to an HPA", (o) => (named(o, "Deployment", "gateway")!.spec.replicas = 3), /gateway: spec.replicas is set/],
    ["a grace period shorter than the drain", (o) => (named(o, "Deployment", "seat")!.spec.template.spec.terminationGracePeriodSeconds = 10), /seat: terminationGracePeriodSeconds 10 s/],
    ["a subgraph URL to the wrong port", (o) => (named(o, "Service", "payment")!.spec.ports[0].port = 80), /SUBGRAPH_URL_PAYMENT → payment:4003 does not reach|SUBGRAPH_URL_PAYMENT → no Service/],
    ["a NATS route missing", (o) => (named(o, "ConfigMap", "nats-config")!.data["nats.conf"] = named(o, "ConfigMap", "nats-config")!.data["nats.conf"].replace(/\s*nats:\/\/nats-2[^\n]*/, "")), /NATS: routes/],
    ["a latest image in production", (o) => { for (const w of workloads(o)) for (const c of podSpecOf(w)!.containers) if (!/^nats:/.test(c.image)) c.image = "cinema:latest"; }, /production must pin the image's tag/],
    ["a PDB that allows every pod down", (o) => (named(o, "PodDisruptionBudget", "reservation")!.spec.minAvailable = 0), /reservation: PodDisruptionBudget minAvailable must be 1/],
  ];
  it.each(breakages)("%s", (_, breakIt, message) => {
    const objs = production();
    breakIt(objs);
    expect(problems(objs, "production").join("\n")).toMatch(message);
  });

  it.each([
    ["a misspelt field", (d: Obj) => (d.spec.template.spec.containers[0].readinesProbe = d.spec.template.spec.containers[0].readinessProbe), /unknown field \.spec\.template\.spec\.containers\[0\]\.readinesProbe/],
    ["a port as a string", (d: Obj) => (d.spec.template.spec.containers[0].ports[0].containerPort = "4001"), /containerPort must be integer/],
    ["a missing required field", (d: Obj) => delete d.spec.selector, /spec must have required property '?selector'?/],
  ] as [string, (d: Obj) => void, RegExp][])("schema: %s", (_, breakIt, message) => {
    const deployment = structuredClone(named(rendered.production, "Deployment", "movie")!);
    breakIt(deployment);
    expect(validateSchema(deployment).join("\n")).toMatch(message);
  });

  describe("in the files themselves", () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "k8s-"));
    afterAll(() => rmSync(copy, { recursive: true, force: true }));
    beforeAll(() => cpSync(K8S, copy, { recursive: true }));

    it("a resource file that does not exist fails to render", () => {
      const file = path.join(copy, "base/kustomization.yaml");
      const original = readFileSync(file, "utf8");
      writeFileSync(file, original.replace("  - seat.yaml\n", "  - seats.yaml\n"));
      try {
        expect(() => render(path.join(copy, "overlays/production"))).toThrow(/seats\.yaml/);
      } finally {
        writeFileSync(file, original);
      }
    });

    it("a Deployment dropped from the base is reported", () => {
      const file = path.join(copy, "base/kustomization.yaml");
      const original = readFileSync(file, "utf8");
      writeFileSync(file, original.replace("  - notifications.yaml\n", ""));
      try {
        expect(problems(render(path.join(copy, "overlays/production")), "production")).toEqual(expect.arrayContaining(["notifications: no Deployment"]));
      } finally {
        writeFileSync(file, original);
      }
    });
  });
});
