import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { localDir, repoRoot } from "@cinema/platform/config";

/**
 * Prisma 7's CLI needs a native schema engine that cannot be downloaded here; Prisma 6.19's wasm
 * engine (dev dependency `prisma6`) writes the SQL instead. It wants `url` in the datasource and
 * `engineType = "client"` in the generator, so it reads a generated copy of the schema.
 */
const workDir = path.join(localDir, "prisma6");

function prepare(schemaFile: string, label: string): string {
  mkdirSync(workDir, { recursive: true });
  const config = path.join(workDir, `${label}.config.mjs`);
  writeFileSync(
    config,
    `import { PrismaPg } from "@prisma/adapter-pg";
export default { experimental: { adapter: true }, engine: "js", schema: ${JSON.stringify(schemaFile)},
  adapter: async () => new PrismaPg({ connectionString: process.env.PRISMA6_SERVER_URL }) };
`,
  );
  return config;
}

/** A Prisma 6 readable copy of a datamodel (schema text). */
export function prisma6Copy(schemaText: string, name: string): string {
  const file = path.join(workDir, `${name}.prisma`);
  mkdirSync(workDir, { recursive: true });
  writeFileSync(
    file,
    schemaText
      .replace(/provider\s*=\s*"postgresql"/, `provider = "postgresql"\n  url = env("PRISMA6_SERVER_URL")`)
      .replace(/provider\s*=\s*"prisma-client"/, `provider = "prisma-client"\n  engineType = "client"`),
  );
  return file;
}

/**
 * SQL that takes a database from `from` (schema text, or null for empty) to `to`. Prisma 6 connects
 * to a server while diffing (it reads nothing from it): any reachable PostgreSQL <= 17 will do.
 */
export async function diffSql(from: string | null, to: string, label: string, serverUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres"): Promise<string> {
  const toFile = prisma6Copy(to, `${label}-to`);
  const config = prepare(toFile, label);
  const fromArgs = from === null ? ["--from-empty"] : ["--from-schema-datamodel", prisma6Copy(from, `${label}-from`)];
  const cli = path.join(repoRoot, "node_modules", "prisma6", "build", "index.js");
  const { stdout } = await promisify(execFile)(process.execPath, [cli, "migrate", "diff", "--config", config, ...fromArgs, "--to-schema-datamodel", toFile, "--script"], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, PRISMA6_SERVER_URL: serverUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  return stdout;
}

export const schemaPath = (subgraph: string) => path.join(repoRoot, "prisma", subgraph, "schema.prisma");
/** The datamodel as of the newest migration; the next migration is the diff from it. */
export const snapshotPath = (subgraph: string) => path.join(repoRoot, "prisma", subgraph, "migrations", "schema.snapshot.prisma");
export const readText = (file: string) => readFileSync(file, "utf8");
