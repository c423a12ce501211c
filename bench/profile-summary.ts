// Sums a V8 CPU profile (.cpuprofile, from `node --cpu-prof`; the bench writes them with
// BENCH_PROFILE=…) by where the time went: self time per package (node_modules/<pkg>, the project's
// own files, Node's internals, GC, idle) and the top functions.
//   npx tsx bench/profile-summary.ts .local/profiles/movie-….cpuprofile [top=25] [from-to]
// `from-to` (seconds since the profile started, e.g. 95-140) sums only that stretch: one scenario of
// the bench. Without it the busy time per 5 s is printed too, to find where each scenario ran.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The package a script belongs to: node_modules/<scope/name>, node:<internal>, or the project's folder. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const repo = url.replace(/^file:\/\//, "").split("/");
  const at = repo.findIndex((part) => ["packages", "subgraphs", "gateway", "workers", "bench", "scripts"].includes(part));
  return at >= 0 ? repo.slice(at, at + 2).join("/") : url;
}

export function summarize(profile: Profile, top = 25, window?: { fromS: number; toS: number }) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const busyPer5s: number[] = [];
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    atUs += us;
    if (window && (atUs < window.fromS * 1e6 || atUs > window.toS * 1e6)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + us);
    if (byId.get(id)?.callFrame.functionName !== "(idle)") busyPer5s[Math.floor(atUs / 5e6)] = (busyPer5s[Math.floor(atUs / 5e6)] ?? 0) + us;
  });
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") continue;
    busy += us;
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    const fn = `${functionName || "(anonymous)"} ${pkg}${url && !url.includes("node_modules") ? `:${lineNumber + 1}` : ""}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const share = (us: number) => `${((us / busy) * 100).toFixed(1)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    busyMs: Math.round(busy / 1000),
    timeline: [...busyPer5s].map((us, i) => `${i * 5}s ${Math.round((us ?? 0) / 5e4)}%`),
    packages: sorted(packages).map(([name, us]) => `${share(us).padStart(6)}  ${name}`),
    functions: sorted(functions).map(([name, us]) => `${share(us).padStart(6)}  ${name}`),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top, span] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top] [from-to seconds]");
  const [fromS, toS] = (span ?? "").split("-").map(Number);
  const window = span ? { fromS: fromS!, toS: toS! } : undefined;
  const s = summarize(JSON.parse(readFileSync(file, "utf8")) as Profile, Number(top ?? 25), window);
  if (!window) console.log(`busy (share of one core) per 5 s: ${s.timeline.join(", ")}\n`);
  console.log(`busy ${s.busyMs} ms\n\nby package:\n${s.packages.join("\n")}\n\nby function:\n${s.functions.join("\n")}`);
}
