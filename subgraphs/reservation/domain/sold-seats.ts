import { intEnv } from "@cinema/platform/config";

/**
 * Seats this process knows are SOLD, per screening: from its own completed bookings and from the
 * seat subgraph's refusals (which name the sold seats). When a showing sells out and a crowd keeps
 * asking for the same seats, `reserve` refuses those at once, without a reservation row, a hold
 * attempt or an event each: the seat subgraph stays the authority, this only repeats its answer.
 * A fact is forgotten after SOLD_SEATS_MEMORY_MS (default 2000): a cancelled booking's seats are
 * released asynchronously (refund, then release), so they become bookable at most that much later
 * than the seat subgraph says.
 */
const sold = new Map<string, Map<string, number>>();
const memoryMs = () => intEnv("SOLD_SEATS_MEMORY_MS", 2000);

export function rememberSold(screeningId: string, labels: readonly string[]): void {
  if (!labels.length || memoryMs() <= 0) return;
  if (sold.size > 10_000) sold.clear(); // bounded: forgetting only costs a trip to the seat subgraph
  let seats = sold.get(screeningId);
  if (!seats) sold.set(screeningId, (seats = new Map()));
  const until = Date.now() + memoryMs();
  for (const label of labels) seats.set(label, until);
}

/** Which of `labels` are known sold right now (empty when none, or nothing is known). */
export function knownSold(screeningId: string, labels: readonly string[]): string[] {
  const seats = sold.get(screeningId);
  if (!seats) return [];
  const now = Date.now();
  return labels.filter((label) => (seats.get(label) ?? 0) > now);
}
