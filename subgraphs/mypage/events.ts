import type { ConsumerOptions, EventType } from "@cinema/platform";
import { liveMypageSubject, type EventEnvelope } from "@cinema/platform/events";
import { publishLive, type EventBus } from "@cinema/platform/nats";
import { handleOnce } from "@cinema/platform/outbox";
import type { MypageDb, MypageTx } from "./data.ts";
import {
  projectCancelled,
  projectConfirmed,
  projectRefunded,
  projectScreening,
  projectSeatsReleased,
  projectTicketIssued,
} from "./domain/projection.ts";
import { loadMyReservation, toGraphQL } from "./queries.ts";

type Projector<T extends EventType> = (tx: MypageTx, e: EventEnvelope<T>) => Promise<string | null>;

/**
 * mypage publishes no events; it consumes every booking event into its read model, then tells the
 * booking's customer (live subscriptions) what the booking looks like now.
 */
export function mypageConsumers(db: MypageDb, bus: EventBus): ConsumerOptions<EventType>[] {
  const consumer = <T extends EventType>(type: T, project: Projector<T>): ConsumerOptions<EventType> => ({
    durable: `mypage_${type.replace(".", "-")}`,
    type,
    handle: async (event) => {
      let changed: string | null = null;
      await handleOnce(db, "mypage.projection", event, async (tx) => {
        changed = await project(tx, event as EventEnvelope<T>);
      });
      if (changed) {
        const row = await loadMyReservation(db, changed);
        if (row) publishLive(bus, liveMypageSubject(bus.prefix, row.customerId), toGraphQL(row));
      }
    },
  });
  return [
    consumer("movie.screening-scheduled", projectScreening),
    consumer("reservation.confirmed", projectConfirmed),
    consumer("ticket.issued", projectTicketIssued),
    consumer("reservation.cancelled", projectCancelled),
    consumer("payment.refunded", projectRefunded),
    consumer("seat.released", projectSeatsReleased),
  ];
}
