import { runSubgraph } from "@cinema/platform/subgraph";
import { createSagaPorts } from "./clients.ts";
import { createReservationDb, type ReservationDb } from "./data.ts";
import { reservationConsumers } from "./events.ts";
import { resolvers, type ReservationContext } from "./resolvers.ts";

await runSubgraph<ReservationDb, ReservationContext>({
  name: "reservation",
  schemaFile: new URL("./schema.graphql", import.meta.url),
  createDb: createReservationDb,
  build: ({ db, relay }) => {
    const deps = { db, relay, ...createSagaPorts() };
    return { resolvers, context: (base) => ({ ...base, deps }), consumers: reservationConsumers(db, relay) };
  },
});
