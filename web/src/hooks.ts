import { useEffect, useMemo, useRef, useState } from "react";
import { useQuery, useSubscription } from "urql";
import { useLive } from "./api.tsx";
import { SCREENING, SEAT_MAP_CHANGED, type Seat, type SeatMapChange, type SeatStatus } from "./queries.ts";

/** What the live feed said: each seat's last status and the number of the event that said it. */
interface LiveSeats {
  events: number;
  statuses: Record<string, { status: SeatStatus; event: number }>;
}

const NOTHING_YET: LiveSeats = { events: 0, statuses: {} };

/**
 * A screening with its seat map kept current: the query gives the map, seatMapChanged the seats
 * that change afterwards. The map is read again whenever the socket (re)connects, so changes made
 * while it was down, or before the subscription started, are not missed; a fresh read wins over
 * what the feed said before it.
 */
export function useLiveScreening(id: string) {
  const [result, refetch] = useQuery({ query: SCREENING, variables: { id }, requestPolicy: "cache-and-network" });
  const [live] = useSubscription<{ seatMapChanged: SeatMapChange }, LiveSeats, { screeningId: string }>(
    { query: SEAT_MAP_CHANGED, variables: { screeningId: id } },
    (previous = { events: 0, statuses: {} }, { seatMapChanged }) => {
      const event = previous.events + 1;
      const changed = Object.fromEntries(seatMapChanged.seats.map((s) => [s.label, { status: s.status, event }]));
      return { events: event, statuses: { ...previous.statuses, ...changed } };
    },
  );
  const feed = live.data ?? NOTHING_YET;

  const screening = result.data?.screening;
  // The feed's event count when this read of the map arrived: only later events override it.
  const [readAt, setReadAt] = useState({ screening, events: 0 });
  if (readAt.screening !== screening) setReadAt({ screening, events: feed.events });

  const connected = useLive();
  const loaded = useRef(false);
  loaded.current ||= !!screening;
  useEffect(() => {
    if (connected && loaded.current) refetch({ requestPolicy: "network-only" });
  }, [connected, refetch]);

  const seats = useMemo<Seat[]>(
    () =>
      (screening?.seats ?? []).map((seat) => {
        const update = feed.statuses[seat.label];
        return update && update.event > readAt.events ? { ...seat, status: update.status } : seat;
      }),
    [screening, feed, readAt],
  );
  // Counted from the live map, so the number and the map never disagree.
  const availableSeatCount = seats.length ? seats.filter((s) => s.status === "AVAILABLE").length : screening?.availableSeatCount;
  return { screening, seats, availableSeatCount, fetching: result.fetching, error: result.error, refetch };
}
