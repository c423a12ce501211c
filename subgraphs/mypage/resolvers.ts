import { requireUser } from "@cinema/platform/auth";
import { badInput } from "@cinema/platform/errors";
import type { RequestContext } from "@cinema/platform/server";
import { z } from "zod";
import { isId, parseInput } from "@cinema/platform/validation";
import type { EventBus } from "@cinema/platform/nats";
import type { MypageDb } from "./data.ts";
import { createLoaders, historyToGraphQL, loadMyReservation, toGraphQL } from "./queries.ts";

export interface MypageContext extends RequestContext {
  db: MypageDb;
  loaders: ReturnType<typeof createLoaders>;
  /** What a read-model rebuild needs beyond the client: the database's URL and the stream. */
  rebuild: { databaseUrl: string; bus: EventBus };
}

// Cursor = "<bookedAt ms>_<reservationId>": stable under concurrent inserts, opaque to clients.
const encodeCursor = (r: { bookedAt: Date; reservationId: string }) => Buffer.from(`${r.bookedAt.getTime()}_${r.reservationId}`).toString("base64url");
function decodeCursor(cursor: string): { bookedAt: Date; id: string } {
  const refuse = () => badInput("after", "after: not a cursor returned by this API");
  if (cursor.length > 100 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse();
  const [ms, id, ...rest] = Buffer.from(cursor, "base64url").toString().split("_");
  // Only what encodeCursor writes: a time PostgreSQL can compare (not -1e20) and an id.
  if (!ms || !id || rest.length > 0 || !isId(id) || !/^\d{1,15}$/.test(ms) || Number.isNaN(new Date(Number(ms)).getTime())) throw refuse();
  return { bookedAt: new Date(Number(ms)), id };
}
/** `first` between 1 and 100; an explicit null means the default. */
const pageSize = z.number().int().min(1, "must be between 1 and 100").max(100, "must be between 1 and 100").nullish();

export const resolvers = {
  Query: {
    myReservations: async (_: unknown, args: { first?: number | null; after?: string | null }, { viewer, db }: MypageContext) => {
      const me = requireUser(viewer);
      const first = parseInput(pageSize, args.first, "first") ?? 20;
      const after = args.after ? decodeCursor(args.after) : null;
      const rows = await db.myReservation.findMany({
        where: {
          customerId: me.id,
          ...(after && { OR: [{ bookedAt: { lt: after.bookedAt } }, { bookedAt: after.bookedAt, reservationId: { lt: after.id } }] }),
        },
        orderBy: [{ bookedAt: "desc" }, { reservationId: "desc" }],
        take: first + 1,
        // Each booking's lines are JSON: read only when the page asks for them (MyReservation.lines).
        omit: { lines: true },
      });
      const nodes = rows.slice(0, first);
      const last = nodes.at(-1);
      return { nodes: nodes.map(toGraphQL), hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last) : null };
    },
    myReservation: async (_: unknown, { id }: { id: string }, { viewer, db }: MypageContext) => {
      const me = requireUser(viewer);
      if (!isId(id)) return null;
      const row = await loadMyReservation(db, id);
      return row && (row.customerId === me.id || me.role === "admin") ? toGraphQL(row) : null;
    },
  },
  MyReservation: {
    lines: async (parent: ReturnType<typeof toGraphQL>, _: unknown, { loaders }: MypageContext) => parent.lines ?? loaders.lines.load(parent.id),
    history: async (parent: ReturnType<typeof toGraphQL>, _: unknown, { loaders }: MypageContext) =>
      parent.history ?? historyToGraphQL(await loaders.history.load(parent.id)),
  },
};
