import { runSubgraph } from "@cinema/platform/subgraph";
import { createMovieDb } from "./data.ts";
import { createLoaders } from "./loaders.ts";
import { resolvers, type MovieContext } from "./resolvers.ts";

await runSubgraph<ReturnType<typeof createMovieDb>, MovieContext>({
  name: "movie",
  schemaFile: new URL("./schema.graphql", import.meta.url),
  createDb: createMovieDb,
  build: ({ db, relay }) => ({
    resolvers,
    context: (base) => ({ ...base, db, relay, loaders: createLoaders(db) }),
  }),
});
