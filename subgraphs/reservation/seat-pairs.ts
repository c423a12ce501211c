import type { SubgraphClient } from "@cinema/platform/subgraph-client";
import type { PairedSeat } from "@cinema/platform/seat-pairs";
import type { SeatPairs } from "./domain/cancel-seats.ts";

/** The seat subgraph's seat map of a screening (its Screening entity), for partial cancellations' pair rules. */
export const seatPairsOver = (seat: SubgraphClient): SeatPairs => ({
  async pairsOf(screeningId) {
    const data = await seat.request<{ _entities: ({ seats: PairedSeat[] } | null)[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Screening { seats { label seatClass pairLabel } } } }`,
      { r: [{ __typename: "Screening", id: screeningId }] },
    );
    return data._entities[0]?.seats ?? [];
  },
});
