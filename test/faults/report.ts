// One table per fault case, printed and appended to .local/faults/results.jsonl (the global setup
// empties it at the start of a run and prints the whole run's summary at the end).
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { localDir } from "@cinema/platform/config";
import type { LoadStats } from "./load.ts";
import type { Violation } from "./invariants.ts";

export const RESULTS_FILE = path.join(localDir, "faults", "results.jsonl");

export interface CaseResult {
  name: string;
  requests: number;
  successes: number;
  typed: number;
  other: number;
  violations: number;
  /** Violations by invariant. */
  invariants: Record<string, number>;
  codes: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  notes?: string;
}

function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(width[i]!)).join(" | ")} |`;
  return [line(cols), `|${width.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join("\n");
}

const countBy = (keys: string[]) => keys.reduce<Record<string, number>>((n, k) => ((n[k] = (n[k] ?? 0) + 1), n), {});

export const codesText = (codes: Record<string, number>) =>
  Object.entries(codes)
    .map(([code, n]) => `${code}×${n}`)
    .join(" ") || "-";

/** Prints the case's table (per operation and total), its untyped errors and violations; records it. */
export function reportCase(name: string, stats: LoadStats, violations: Violation[], notes?: string): CaseResult {
  const rows = (["reserve", "cancel", "read"] as const).map((op) => ({ op, ...stats.byOp[op] }));
  rows.push({ op: "total" as never, requests: stats.requests, successes: stats.successes, typed: stats.typed, other: stats.other });
  const lines = [
    `\n=== ${name} (${(stats.durationMs / 1000).toFixed(1)} s, p50 ${stats.p50Ms} ms, p99 ${stats.p99Ms} ms) ===`,
    table(rows.map((r) => ({ op: r.op, requests: r.requests, successes: r.successes, "typed refusals": r.typed, "other errors": r.other }))),
    `typed refusals by code: ${codesText(stats.codes)}`,
    `invariant violations: ${violations.length}${violations.length ? ` (${codesText(countBy(violations.map((v) => v.invariant)))})` : ""}`,
    ...(notes ? [`notes: ${notes}`] : []),
    ...stats.otherSamples.map((s) => `  untyped: ${s}`),
    ...violations.slice(0, 40).map((v) => `  violation [${v.invariant}] ${v.detail}`),
    ...(violations.length > 40 ? [`  … and ${violations.length - 40} more`] : []),
  ];
  console.log(lines.join("\n"));
  const result: CaseResult = {
    name,
    requests: stats.requests,
    successes: stats.successes,
    typed: stats.typed,
    other: stats.other,
    violations: violations.length,
    invariants: countBy(violations.map((v) => v.invariant)),
    codes: stats.codes,
    p50Ms: stats.p50Ms,
    p99Ms: stats.p99Ms,
    notes,
  };
  mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  appendFileSync(RESULTS_FILE, `${JSON.stringify(result)}\n`);
  return result;
}

export function summaryTable(results: CaseResult[]): string {
  return table(
    results.map((r) => ({
      case: r.name,
      requests: r.requests,
      successes: r.successes,
      "typed refusals": r.typed ? `${r.typed} (${codesText(r.codes)})` : 0,
      "other errors": r.other,
      violations: r.violations ? `${r.violations} (${codesText(r.invariants ?? {})})` : 0,
      "p50/p99 ms": `${r.p50Ms}/${r.p99Ms}`,
    })),
  );
}
