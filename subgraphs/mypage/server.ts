import { runSubgraph } from "@cinema/platform/subgraph";
import { createMypageDb, type MypageDb } from "./data.ts";
import { mypageConsumers } from "./events.ts";
import { createLoaders } from "./queries.ts";
import { resolvers, type MypageContext } from "./resolvers.ts";

await runSubgraph<MypageDb, MypageContext>({
  name: "mypage",
  schemaFile: new URL("./schema.graphql", import.meta.url),
  createDb: createMypageDb,
  build: ({ db, bus }) => ({
    resolvers,
    context: (base) => ({ ...base, db, loaders: createLoaders(db) }),
    consumers: mypageConsumers(db, bus),
  }),
});
