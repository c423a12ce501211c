// Generates each subgraph's Prisma client (offline: the schema engine is not needed to generate).
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { localDir, repoRoot } from "@cinema/platform/config";
import { DATABASE_OWNERS } from "./lib/subgraphs.ts";

// Prisma 7 tries to download its native schema engine unless this names a file; generate never runs it.
mkdirSync(localDir, { recursive: true });
const placeholder = path.join(localDir, "schema-engine-placeholder");
if (!existsSync(placeholder)) writeFileSync(placeholder, "");
const cli = path.join(repoRoot, "node_modules", "prisma", "build", "index.js");
for (const name of DATABASE_OWNERS) {
  execFileSync(process.execPath, [cli, "generate", "--schema", path.join(repoRoot, "prisma", name, "schema.prisma")], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}
console.log(`generated Prisma clients: ${DATABASE_OWNERS.join(", ")}`);
