// The ticket issuer: a second process of the reservation context, on the reservation database.
// It turns `reservation.confirmed` into a ticket, so issuing never slows `reserve`, and bookings go
// on while it is down (the tickets follow when it returns: its durable consumer kept its place).
import { runWorker } from "@cinema/platform/subgraph";
import { createReservationDb, type ReservationDb } from "../../subgraphs/reservation/data.ts";
import { TICKETING_EVENTS, ticketingConsumers } from "../../subgraphs/reservation/events.ts";

await runWorker<ReservationDb>({
  name: "ticketing",
  schema: "reservation",
  createDb: createReservationDb,
  // It writes only ticket.issued; the reservation subgraph relays everything else on this database.
  relay: { only: TICKETING_EVENTS },
  build: ({ db, relay }) => ({ consumers: ticketingConsumers(db, relay) }),
});
