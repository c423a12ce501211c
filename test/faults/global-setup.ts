// Empties the results file at the start of `npm run test:faults` and prints the run's summary table at the end.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { RESULTS_FILE, summaryTable, type CaseResult } from "./report.ts";

export function setup() {
  rmSync(path.dirname(RESULTS_FILE), { recursive: true, force: true }); // results and the logs of failed cases
}

export function teardown() {
  if (!existsSync(RESULTS_FILE)) return;
  const results = readFileSync(RESULTS_FILE, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as CaseResult);
  if (results.length) console.log(`\nFault suite summary (also in ${RESULTS_FILE}):\n${summaryTable(results)}\n`);
}
