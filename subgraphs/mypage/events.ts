import type { ConsumerOptions, EventType } from "@cinema/platform";
import { liveMypageSubject, type EventEnvelope } from "@cinema/platform/events";
import { publishLive, type EventBus } from "@cinema/platform/nats";
import { handleEachOnce } from "@cinema/platform/outbox";
import type { MypageDb, MypageTx } from "./data.ts";
import {
  bookingOf,
  lockBookings,
  projectCancelled,
  projectConfirmed,
  projectRefunded,
  projectScreening,
  projectSeatsReleased,
  projectTicketIssued,
} from "./domain/projection.ts";
import { loadMyReservations, toGraphQL } from "./queries.ts";

type Projector<T extends EventType> = (tx: MypageTx, e: EventEnvelope<T>) => Promise<string | null>;

/**
 * mypage publishes no events; it consumes every booking event into its read model, then tells the
 * booking's customer (live subscriptions) what the booking looks like now.
 */
export function mypageConsumers(db: MypageDb, bus: EventBus): ConsumerOptions<EventType>[] {
  const consumer = <T extends EventType>(type: T, project: Projector<T>): ConsumerOptions<EventType> => {
    // Under load the events waiting are projected in one transaction, their bookings locked in
    // one fixed order first (two batches never wait on each other's locks in a cycle).
    const handleBatch = async (events: EventEnvelope<EventType>[]) => {
      const changed = new Set<string>();
      await handleEachOnce(
        db,
        "mypage.projection",
        events as EventEnvelope<T>[],
        async (tx: MypageTx, event) => {
          const id = await project(tx, event);
          if (id) changed.add(id);
        },
        (tx, fresh) => lockBookings(tx, fresh.map(bookingOf).filter((id): id is string => !!id)),
      );
      if (changed.size) {
        for (const row of await loadMyReservations(db, [...changed])) publishLive(bus, liveMypageSubject(bus.prefix, row.customerId), toGraphQL(row));
      }
    };
    return { durable: `mypage_${type.replace(".", "-")}`, type, handleBatch };
  };
  return [
    consumer("movie.screening-scheduled", projectScreening),
    consumer("reservation.confirmed", projectConfirmed),
    consumer("ticket.issued", projectTicketIssued),
    consumer("reservation.cancelled", projectCancelled),
    consumer("payment.refunded", projectRefunded),
    consumer("seat.released", projectSeatsReleased),
  ];
}
