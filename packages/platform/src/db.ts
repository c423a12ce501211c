import { PrismaPg } from "@prisma/adapter-pg";
import { intEnv } from "./config.ts";

/** The driver adapter every subgraph's Prisma client runs on, with a bounded pool. */
export function pgAdapter(connectionString: string): PrismaPg {
  return new PrismaPg({ connectionString, max: intEnv("DB_POOL_SIZE", 10), connectionTimeoutMillis: 5_000 });
}

/** Postgres error code of a failed Prisma call through the pg adapter (e.g. 23505 unique_violation). */
export function pgErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } };
  return e?.meta?.driverAdapterError?.cause?.originalCode ?? (e?.code && /^\d{5}$/.test(e.code) ? e.code : undefined);
}

export const isUniqueViolation = (err: unknown) =>
  pgErrorCode(err) === "23505" || (err as { code?: string })?.code === "P2002";
