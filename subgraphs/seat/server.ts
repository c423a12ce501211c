import { intEnv } from "@cinema/platform/config";
import { logger } from "@cinema/platform/logger";
import { periodicJob, runSubgraph } from "@cinema/platform/subgraph";
import { createSeatDb, type SeatDb } from "./data.ts";
import { sweepExpiredHolds } from "./domain/holds.ts";
import { seatConsumers } from "./events.ts";
import { createLoaders, resolvers, type SeatContext } from "./resolvers.ts";

/** Every SEAT_SWEEP_SECONDS, holds that ran out are turned back into AVAILABLE seats. */
const holdSweeper = (db: SeatDb) =>
  periodicJob("hold sweep", intEnv("SEAT_SWEEP_SECONDS", 30), async () => {
    const released = await sweepExpiredHolds(db);
    if (released) logger.info({ released }, "expired seat holds released");
  });

await runSubgraph<SeatDb, SeatContext>({
  name: "seat",
  schemaFile: new URL("./schema.graphql", import.meta.url),
  createDb: createSeatDb,
  build: ({ db, bus, relay }) => ({
    resolvers,
    context: (base) => ({ ...base, db, bus, relay, loaders: createLoaders(db) }),
    consumers: seatConsumers(db, bus, relay),
    jobs: [holdSweeper(db)],
  }),
});
