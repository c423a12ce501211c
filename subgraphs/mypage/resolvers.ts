import { requireUser } from "@cinema/platform/auth";
import { badInput } from "@cinema/platform/errors";
import type { RequestContext } from "@cinema/platform/server";
import { isId } from "@cinema/platform/validation";
import type { MypageDb } from "./data.ts";
import { loadMyReservation, toGraphQL } from "./queries.ts";

export interface MypageContext extends RequestContext {
  db: MypageDb;
}

// Cursor = "<bookedAt ms>_<reservationId>": stable under concurrent inserts, opaque to clients.
const encodeCursor = (r: { bookedAt: Date; reservationId: string }) => Buffer.from(`${r.bookedAt.getTime()}_${r.reservationId}`).toString("base64url");
function decodeCursor(cursor: string): { bookedAt: Date; id: string } {
  const [ms, id] = Buffer.from(cursor, "base64url").toString().split("_");
  if (!ms || !id || !isId(id) || !Number.isFinite(Number(ms))) throw badInput("after", "after: not a cursor returned by this API");
  return { bookedAt: new Date(Number(ms)), id };
}

export const resolvers = {
  Query: {
    myReservations: async (_: unknown, args: { first: number; after?: string | null }, { viewer, db }: MypageContext) => {
      const me = requireUser(viewer);
      if (args.first < 1 || args.first > 100) throw badInput("first", "first: must be between 1 and 100");
      const after = args.after ? decodeCursor(args.after) : null;
      const rows = await db.myReservation.findMany({
        where: {
          customerId: me.id,
          ...(after && { OR: [{ bookedAt: { lt: after.bookedAt } }, { bookedAt: after.bookedAt, reservationId: { lt: after.id } }] }),
        },
        include: { history: { orderBy: { at: "asc" } } },
        orderBy: [{ bookedAt: "desc" }, { reservationId: "desc" }],
        take: args.first + 1,
      });
      const nodes = rows.slice(0, args.first);
      const last = nodes.at(-1);
      return { nodes: nodes.map(toGraphQL), hasNextPage: rows.length > args.first, endCursor: last ? encodeCursor(last) : null };
    },
    myReservation: async (_: unknown, { id }: { id: string }, { viewer, db }: MypageContext) => {
      const me = requireUser(viewer);
      if (!isId(id)) return null;
      const row = await loadMyReservation(db, id);
      return row && (row.customerId === me.id || me.role === "admin") ? toGraphQL(row) : null;
    },
  },
};
