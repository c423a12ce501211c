// The SQL migrations that start-up applies must build exactly the database the Prisma schemas describe.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { listMigrations, migrate } from "@cinema/platform/migrate";
import { diffSql, readText, schemaPath, snapshotPath } from "../scripts/lib/prisma6.ts";
import { DATABASE_OWNERS } from "../scripts/lib/subgraphs.ts";
import { createDatabase, databaseUrl, dropDatabase, testInfra } from "../scripts/lib/infra.ts";

const created: string[] = [];
let serverUrl: string;

async function freshDatabase(label: string): Promise<string> {
  serverUrl ??= (await testInfra()).serverUrl;
  const name = `mig_${label}_${randomBytes(4).toString("hex")}`;
  await createDatabase(serverUrl, name);
  created.push(name);
  return databaseUrl(serverUrl, name);
}

async function query<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Every column, index, constraint and enum, as text, ignoring Prisma's bookkeeping table. */
const catalog = (url: string) =>
  query<{ item: string }>(
    url,
    `SELECT 'column ' || table_name || '.' || column_name || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') AS item
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
     UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
     UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '"_prisma_migrations"' AND conrelid::regclass::text <> '_prisma_migrations'
     UNION ALL SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname
     ORDER BY 1`,
  ).then((rows) => rows.map((r) => r.item));

afterAll(async () => {
  for (const name of created) await dropDatabase(serverUrl, name);
});

describe("migrations", () => {
  // Concurrent: each case waits mostly on Prisma 6 wasm start-up.
  it.concurrent.each(DATABASE_OWNERS)("%s: migrations build the database its Prisma schema describes", async (subgraph) => {
    const viaMigrations = await freshDatabase(`${subgraph}_m`);
    const viaSchema = await freshDatabase(`${subgraph}_s`);
    await migrate(subgraph, viaMigrations);
    const fullSql = await diffSql(null, readText(schemaPath(subgraph)), `test-${subgraph}`, serverUrl);
    await query(viaSchema, fullSql);
    const [fromMigrations, fromSchema] = await Promise.all([catalog(viaMigrations), catalog(viaSchema)]);
    expect(fromMigrations.length).toBeGreaterThan(5);
    expect(fromMigrations).toEqual(fromSchema);
    // The snapshot the next migration is diffed from is the schema as migrated.
    expect(readText(snapshotPath(subgraph))).toBe(readText(schemaPath(subgraph)));
  });

  it("records applied migrations as Prisma does and applies each once", async () => {
    const url = await freshDatabase("runner");
    const expected = listMigrations("seat");
    expect(await migrate("seat", url)).toEqual(expected.map((m) => m.name));
    expect(await Promise.all([migrate("seat", url), migrate("seat", url)])).toEqual([[], []]);
    const rows = await query<{ migration_name: string; checksum: string; applied_steps_count: number; finished: boolean }>(
      url,
      `SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL AS finished FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toEqual(expected.map((m) => ({ migration_name: m.name, checksum: m.checksum, applied_steps_count: 1, finished: true })));
  });
});
