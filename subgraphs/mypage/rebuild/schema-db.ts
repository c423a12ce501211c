import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import type { MypageDb } from "../data.ts";

/**
 * A Prisma client of mypage's database whose every table is the one in `schema`: Prisma's own
 * queries name the schema, and raw SQL (the projections', the processed-event bookkeeping's) finds
 * it first on the search path. The projections then build a read model there, unchanged.
 */
export function createSchemaDb(connectionString: string, schema: string): MypageDb {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 2, options: `-c search_path=${schema}` }, { schema }) });
}
