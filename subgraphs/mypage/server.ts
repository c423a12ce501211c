import { requireEnv } from "@cinema/platform/config";
import { runSubgraph } from "@cinema/platform/subgraph";
import { createMypageDb, type MypageDb } from "./data.ts";
import { dashboardConsumers } from "./dashboard/events.ts";
import { dashboardResolvers } from "./dashboard/resolvers.ts";
import { mypageConsumers } from "./events.ts";
import { createLoaders } from "./queries.ts";
import { rebuildResolvers } from "./rebuild/resolvers.ts";
import { resolvers, type MypageContext } from "./resolvers.ts";

await runSubgraph<MypageDb, MypageContext>({
  name: "mypage",
  schemaFile: new URL("./schema.graphql", import.meta.url),
  createDb: createMypageDb,
  build: ({ db, bus }) => {
    const rebuild = { databaseUrl: requireEnv("DATABASE_URL"), bus };
    return {
      resolvers: {
        ...resolvers,
        Query: { ...resolvers.Query, ...dashboardResolvers.Query, ...rebuildResolvers.Query },
        Mutation: rebuildResolvers.Mutation,
      },
      context: (base) => ({ ...base, db, loaders: createLoaders(db), rebuild }),
      consumers: [...mypageConsumers(db, bus), ...dashboardConsumers(db, bus)],
    };
  },
});
