import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { intEnv } from "./config.ts";
import { countDbStatement } from "./metrics.ts";

/**
 * Prepared statements: each distinct SQL text gets a name, so every pooled connection parses it
 * once instead of on every call (parsing and planning were two thirds of the database's time per
 * statement on the booking path, measured; planning still runs per call, see pgAdapter). Names are kept for
 * at most PREPARED_STATEMENTS texts (bounded: ORM lists of varying length make new texts); past
 * that, statements run unnamed as before.
 */
const statementNames = new Map<string, string>();
const maxPreparedStatements = intEnv("PREPARED_STATEMENTS", 500);
const nameStatement = (query: { sql: string }): string => {
  // Called by the adapter for every statement it sends: where statements are counted too.
  countDbStatement(query.sql);
  let name = statementNames.get(query.sql);
  if (name === undefined && statementNames.size < maxPreparedStatements) {
    name = `s${createHash("sha1").update(query.sql).digest("base64url").slice(0, 20)}`;
    statementNames.set(query.sql, name);
  }
  return name as string; // undefined: unnamed
};

/**
 * The driver adapter every subgraph's Prisma client runs on, with a bounded pool. No statement
 * outlives the longest request deadline (DB_STATEMENT_TIMEOUT_MS): set once per connection in
 * its startup message, so it costs no round trip per statement or transaction.
 */
export function pgAdapter(connectionString: string): PrismaPg {
  return new PrismaPg(
    {
      connectionString,
      max: intEnv("DB_POOL_SIZE", 10),
      connectionTimeoutMillis: 5_000,
      statement_timeout: intEnv("DB_STATEMENT_TIMEOUT_MS", 15_000),
      // A prepared statement's plan is made for its parameters each time, never one generic plan
      // kept from when the table was empty: a fresh database's generic plans were sequential scans
      // (my page's table: 12,834 scans reading 85 M rows for 13,700 bookings), and PostgreSQL's
      // CPU per booking grew with every booking until an ANALYZE that short runs never reach.
      options: "-c plan_cache_mode=force_custom_plan",
    },
    { statementNameGenerator: nameStatement },
  );
}

/**
 * What every subgraph's PrismaClient is created with: the adapter (which also counts statements,
 * db_queries_total) and minimal errors: a "pretty" error format (Prisma's default outside
 * NODE_ENV=production) captures a call site, a `new Error()`, for every query.
 */
export const prismaOptions = (connectionString: string) => ({
  adapter: pgAdapter(connectionString),
  errorFormat: "minimal" as const,
});

/** Postgres error code of a failed Prisma call through the pg adapter (e.g. 23505 unique_violation). */
export function pgErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } };
  return e?.meta?.driverAdapterError?.cause?.originalCode ?? (e?.code && /^\d{5}$/.test(e.code) ? e.code : undefined);
}

export const isUniqueViolation = (err: unknown) =>
  pgErrorCode(err) === "23505" || (err as { code?: string })?.code === "P2002";

/**
 * Errors that mean "the database is overloaded or unreachable right now", not "this request is
 * wrong": pool or transaction start timeouts, lost connections. Answered as SERVICE_UNAVAILABLE.
 */
const TRANSIENT_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
// 57014: statement cancelled (DB_STATEMENT_TIMEOUT_MS): the database was too slow for the deadline.
const TRANSIENT_PG = new Set(["57P01", "57P03", "53300", "08000", "08003", "08006", "57014"]);
export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return (!!code && TRANSIENT_PRISMA.has(code)) || TRANSIENT_PG.has(pgErrorCode(err) ?? "") || /Unable to start a transaction|connection pool|ECONNREFUSED/.test(String((err as Error)?.message));
}

/**
 * Runs an UPDATE and, only if it changed a row, writes `event` to the outbox — in ONE statement,
 * so it is atomic without an interactive transaction (cheaper, and nothing to time out under load).
 * `update` must end with `RETURNING version`; the event's aggregateVersion becomes that version.
 * Returns the new version, or null when no row matched.
 */
export async function updateWithEvent(
  db: { $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> },
  update: string,
  params: unknown[],
  event: { id: string; type: string },
): Promise<number | null> {
  const n = params.length;
  const rows = await db.$queryRawUnsafe<{ version: number }[]>(
    `WITH updated AS (${update})
     INSERT INTO "outbox_event" ("id", "type", "payload")
     SELECT $${n + 1}::uuid, $${n + 2}, jsonb_set($${n + 3}::jsonb, '{aggregateVersion}', to_jsonb(updated.version)) FROM updated
     RETURNING ("payload"->>'aggregateVersion')::int AS version`,
    ...params,
    event.id,
    event.type,
    JSON.stringify(event),
  );
  return rows[0]?.version ?? null;
}
