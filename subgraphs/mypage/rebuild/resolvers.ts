import { requireAdmin } from "@cinema/platform/auth";
import { AppError, ErrorCode } from "@cinema/platform/errors";
import { isId } from "@cinema/platform/validation";
import type { MypageContext } from "../resolvers.ts";
import { READ_MODELS } from "../read-models.ts";
import { startRebuild, type RebuildRecord } from "./rebuild-read-model.ts";

const toGraphQL = (r: RebuildRecord) => ({
  id: r.id,
  model: r.model,
  state: r.state,
  eventsReplayed: r.eventsReplayed,
  error: r.error,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
});

export const rebuildResolvers = {
  Query: {
    readModelRebuild: async (_: unknown, { id }: { id: string }, { viewer, db }: MypageContext) => {
      requireAdmin(viewer);
      if (!isId(id)) return null;
      const row = await db.readModelRebuild.findUnique({ where: { id } });
      return row && toGraphQL(row);
    },
  },
  Mutation: {
    rebuildReadModel: async (_: unknown, { model }: { model: keyof typeof READ_MODELS }, { viewer, db, rebuild }: MypageContext) => {
      requireAdmin(viewer);
      const readModel = READ_MODELS[model];
      const started = await startRebuild({ db, ...rebuild }, readModel);
      if (!started) throw new AppError(ErrorCode.CONFLICT, `A rebuild of ${readModel.label} is already running; wait for it to finish.`);
      return toGraphQL(started);
    },
  },
};
