import { intEnv } from "@cinema/platform/config";
import { logger } from "@cinema/platform/logger";
import { runSubgraph } from "@cinema/platform/subgraph";
import { createSeatDb, type SeatDb } from "./data.ts";
import { sweepExpiredHolds } from "./domain/holds.ts";
import { seatConsumers } from "./events.ts";
import { createLoaders, resolvers, type SeatContext } from "./resolvers.ts";

/** Every SEAT_SWEEP_SECONDS, holds that ran out are turned back into AVAILABLE seats. */
const holdSweeper = (db: SeatDb) => () => {
  const timer = setInterval(() => {
    sweepExpiredHolds(db).then(
      (n) => n && logger.info({ released: n }, "expired seat holds released"),
      (err) => logger.warn({ err }, "hold sweep failed"),
    );
  }, intEnv("SEAT_SWEEP_SECONDS", 30) * 1000);
  return () => clearInterval(timer);
};

await runSubgraph<SeatDb, SeatContext>({
  name: "seat",
  schemaFile: new URL("./schema.graphql", import.meta.url),
  createDb: createSeatDb,
  build: ({ db, bus, relay }) => ({
    resolvers,
    context: (base) => ({ ...base, db, bus, loaders: createLoaders(db) }),
    consumers: seatConsumers(db, bus, relay),
    jobs: [holdSweeper(db)],
  }),
});
