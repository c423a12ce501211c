// Writes a new migration for a service from the change to its Prisma schema since the last one.
//   npm run migration -- <service> <name>        e.g.  npm run migration -- seat add_hold_index
import { existsSync, mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { migrationsDir } from "@cinema/platform/migrate";
import { diffSql, readText, schemaPath, snapshotPath } from "./lib/prisma6.ts";
import { DATABASE_OWNERS } from "./lib/subgraphs.ts";

const [service, name] = process.argv.slice(2);
if (!service || !DATABASE_OWNERS.includes(service as never) || !name || !/^[a-z0-9_]+$/.test(name)) {
  console.error(`usage: npm run migration -- <${DATABASE_OWNERS.join("|")}> <snake_case_name>`);
  process.exit(2);
}
const previous = existsSync(snapshotPath(service)) ? readText(snapshotPath(service)) : null;
const sql = await diffSql(previous, readText(schemaPath(service)), service);
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log(`${service}: the schema has not changed since the last migration; nothing written.`);
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const dir = path.join(migrationsDir(service), `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
writeFileSync(path.join(migrationsDir(service), "migration_lock.toml"), '# Managed by Prisma Migrate; do not edit.\nprovider = "postgresql"\n');
copyFileSync(schemaPath(service), snapshotPath(service));
console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
