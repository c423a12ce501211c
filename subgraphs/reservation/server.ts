import { runSubgraph } from "@cinema/platform/subgraph";
import { createClients, createSagaPorts } from "./clients.ts";
import { createReservationDb, type ReservationDb } from "./data.ts";
import { reconciliationJob } from "./domain/reconcile.ts";
import { resolvers, type ReservationContext } from "./resolvers.ts";
import { countSagaSteps } from "./saga-metrics.ts";
import { seatPairsOver } from "./seat-pairs.ts";
import { followFreedSeats } from "./domain/taken-seats.ts";
import { TICKETING_EVENTS, reservationConsumers } from "./events.ts";
import { screeningCancellations } from "./domain/cancel-screening.ts";
import { followRooms } from "./waiting-room/rooms.ts";
import { waitingRoomTicker } from "./waiting-room/ticker.ts";

await runSubgraph<ReservationDb, ReservationContext>({
  name: "reservation",
  schemaFile: new URL("./schema.graphql", import.meta.url),
  createDb: createReservationDb,
  // Its ticket issuer (workers/ticketing) shares this database and relays its own events.
  relay: { except: TICKETING_EVENTS },
  build: ({ db, bus, relay }) => {
    const clients = createClients();
    const deps = { db, relay, ...countSagaSteps(createSagaPorts(clients)), seatPairs: seatPairsOver(clients.seat) };
    const cancellations = screeningCancellations(deps);
    return {
      resolvers,
      context: (base) => ({ ...base, deps, bus }),
      consumers: reservationConsumers(db, cancellations.kick),
      jobs: [reconciliationJob(deps), followFreedSeats(bus), waitingRoomTicker(db, bus), followRooms(bus), cancellations.job],
      details: () => ({ breakers: Object.fromEntries(Object.values(clients).map((c) => [c.name, c.state()])) }),
    };
  },
});
