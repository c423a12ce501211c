// Writes a new migration for a subgraph from the change to its Prisma schema since the last one.
//   npm run migration -- <subgraph> <name>        e.g.  npm run migration -- seat add_hold_index
import { existsSync, mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { migrationsDir } from "@cinema/platform/migrate";
import { diffSql, readText, schemaPath, snapshotPath } from "./lib/prisma6.ts";
import { SUBGRAPHS } from "./lib/subgraphs.ts";

const [subgraph, name] = process.argv.slice(2);
if (!subgraph || !SUBGRAPHS.includes(subgraph as never) || !name || !/^[a-z0-9_]+$/.test(name)) {
  console.error(`usage: npm run migration -- <${SUBGRAPHS.join("|")}> <snake_case_name>`);
  process.exit(2);
}
const previous = existsSync(snapshotPath(subgraph)) ? readText(snapshotPath(subgraph)) : null;
const sql = await diffSql(previous, readText(schemaPath(subgraph)), subgraph);
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log(`${subgraph}: the schema has not changed since the last migration; nothing written.`);
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const dir = path.join(migrationsDir(subgraph), `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
writeFileSync(path.join(migrationsDir(subgraph), "migration_lock.toml"), '# Managed by Prisma Migrate; do not edit.\nprovider = "postgresql"\n');
copyFileSync(schemaPath(subgraph), snapshotPath(subgraph));
console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
