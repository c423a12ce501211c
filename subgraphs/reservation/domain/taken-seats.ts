import { intEnv } from "@cinema/platform/config";
import { seatsTaken, type AppError } from "@cinema/platform/errors";
import { liveSeatsFreedSubject, type SeatsFreed } from "@cinema/platform/events";
import type { EventBus } from "@cinema/platform/nats";

/**
 * Seats this process knows someone else has, per screening, so that `reserve` can refuse them at
 * once (no reservation row, no hold attempt, no event) when a crowd asks for the same seats:
 * - held by one of this process's own sagas still running (until it completes or gives them back);
 * - sold: by its own completed bookings, or named as sold in the seat subgraph's refusals.
 * It only repeats what the seat subgraph, the authority, would answer at that moment. A sold seat
 * is forgotten when its booking is cancelled here, when the seat subgraph announces it free again
 * (another replica's cancellation), and in any case after SOLD_SEATS_MEMORY_MS (default 2000).
 */
const sold = new Map<string, Map<string, number>>();
const held = new Map<string, Map<string, string>>();
const memoryMs = () => intEnv("SOLD_SEATS_MEMORY_MS", 2000);

function seatsOf<V>(byScreening: Map<string, Map<string, V>>, screeningId: string): Map<string, V> {
  let seats = byScreening.get(screeningId);
  if (!seats) {
    if (byScreening.size > 10_000) byScreening.clear(); // bounded: forgetting only costs a trip to the seat subgraph
    byScreening.set(screeningId, (seats = new Map()));
  }
  return seats;
}

export function rememberSold(screeningId: string, labels: readonly string[]): void {
  if (!labels.length || memoryMs() <= 0) return;
  const seats = seatsOf(sold, screeningId);
  const until = Date.now() + memoryMs();
  for (const label of labels) seats.set(label, until);
}

/** These seats are (about to be) free again: a cancellation, or the seat map says so. */
export function forgetSold(screeningId: string, labels: readonly string[]): void {
  const seats = sold.get(screeningId);
  if (!seats) return;
  for (const label of labels) seats.delete(label);
  if (!seats.size) sold.delete(screeningId);
}

/**
 * Follows the seats the seat subgraph announces as free again (a plain NATS subject: every replica
 * hears every message) and forgets them as sold. A job: returns its stop.
 */
export const followFreedSeats = (bus: EventBus) => () => {
  const subscription = bus.nc.subscribe(liveSeatsFreedSubject(bus.prefix), {
    callback: (err, msg) => {
      if (err) return;
      try {
        const freed = msg.json<SeatsFreed>();
        forgetSold(freed.screeningId, freed.labels);
      } catch {
        // not a SeatsFreed message: nothing to forget
      }
    },
  });
  return () => subscription.unsubscribe();
};

/** A saga of this process holds these seats (from its successful hold until `forgetHeld`). */
export function rememberHeld(screeningId: string, labels: readonly string[], reservationId: string): void {
  const seats = seatsOf(held, screeningId);
  for (const label of labels) seats.set(label, reservationId);
}

/** The saga is over (sold, or its seats given back): its holds are no longer known here. */
export function forgetHeld(screeningId: string, labels: readonly string[], reservationId: string): void {
  const seats = held.get(screeningId);
  if (!seats) return;
  for (const label of labels) if (seats.get(label) === reservationId) seats.delete(label);
  if (!seats.size) held.delete(screeningId);
}

/**
 * The refusal `reserve` answers when any of `labels` is known to be someone else's right now
 * (sold, or held by a saga other than `reservationId`), as the seat subgraph would word it; null
 * when none is, or nothing is known.
 */
export function knownTaken(screeningId: string, labels: readonly string[], reservationId?: string): AppError | null {
  const soldSeats = sold.get(screeningId);
  const heldSeats = held.get(screeningId);
  if (!soldSeats && !heldSeats) return null;
  const now = Date.now();
  const soldNow = labels.filter((label) => (soldSeats?.get(label) ?? 0) > now);
  const taken = labels.filter((label) => soldNow.includes(label) || (heldSeats?.has(label) && heldSeats.get(label) !== reservationId));
  return taken.length ? seatsTaken(taken, soldNow) : null;
}
