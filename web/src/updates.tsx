// The signed-in customer's live feed (myReservationsChanged), kept for the whole visit rather than
// per page, so "Latest updates" on my page still lists what happened while you looked elsewhere
// (a refund arriving while you read the booking's details, say).
import { createContext, useContext, type ReactNode } from "react";
import { useSubscription } from "urql";
import { MY_RESERVATIONS_CHANGED, type MyReservation } from "./queries.ts";

const UpdatesContext = createContext<MyReservation[]>([]);
/** Newest first, at most 50. */
export const useMyUpdates = () => useContext(UpdatesContext);

export function MyUpdatesProvider({ signedIn, children }: { signedIn: boolean; children: ReactNode }) {
  const [live] = useSubscription<{ myReservationsChanged: MyReservation }, MyReservation[]>(
    { query: MY_RESERVATIONS_CHANGED, pause: !signedIn },
    (previous = [], { myReservationsChanged }) => [myReservationsChanged, ...previous].slice(0, 50),
  );
  return <UpdatesContext.Provider value={live.data ?? []}>{children}</UpdatesContext.Provider>;
}
