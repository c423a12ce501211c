// Choosing seats with the pair rules the seat subgraph enforces (docs/cinema-chain.md): a couple
// seat brings its partner (and goes with it), a companion seat needs its wheelchair space chosen
// (and goes when the space does), and the cinema's per-booking limit. The server refuses the same
// things; checking here explains them before the customer pays.
import type { ChainKey } from "./i18n-chain.ts";
import type { Seat } from "./queries.ts";

export interface PickNote {
  key: ChainKey;
  vars: Record<string, string | number>;
}
export interface PickOutcome {
  selected: ReadonlySet<string>;
  note?: PickNote;
}

export function togglePick(seats: ReadonlyMap<string, Seat>, selected: ReadonlySet<string>, label: string, max: number): PickOutcome {
  const seat = seats.get(label);
  if (!seat) return { selected };
  const next = new Set(selected);
  if (next.has(label)) {
    next.delete(label);
    if (seat.seatClass === "COUPLE" && seat.pairLabel) next.delete(seat.pairLabel);
    if (seat.seatClass === "WHEELCHAIR") {
      const companion = [...next].find((l) => seats.get(l)?.seatClass === "COMPANION" && seats.get(l)?.pairLabel === label);
      if (companion) {
        next.delete(companion);
        return { selected: next, note: { key: "seat.companionDropped", vars: { seat: companion, wheelchair: label } } };
      }
    }
    return { selected: next };
  }
  if (seat.status !== "AVAILABLE") return { selected };
  const group = [label];
  if (seat.seatClass === "COUPLE" && seat.pairLabel) {
    const partner = seats.get(seat.pairLabel);
    if (partner?.status !== "AVAILABLE") return { selected, note: { key: "seat.coupleTaken", vars: { seat: label, pair: seat.pairLabel } } };
    group.push(seat.pairLabel);
  }
  if (seat.seatClass === "COMPANION" && seat.pairLabel && !next.has(seat.pairLabel)) {
    return { selected, note: { key: "seat.companionAlone", vars: { seat: label, wheelchair: seat.pairLabel } } };
  }
  if (countAvailable(seats, next) + group.length > max) return { selected, note: { key: "seat.tooMany", vars: { n: max } } };
  for (const l of group) next.add(l);
  return group.length > 1 ? { selected: next, note: { key: "seat.coupleBoth", vars: { seats: group.join(", ") } } } : { selected: next };
}

/** Chosen seats that are still free (someone else may take one while the customer looks). */
const countAvailable = (seats: ReadonlyMap<string, Seat>, selected: ReadonlySet<string>) =>
  [...selected].filter((l) => seats.get(l)?.status === "AVAILABLE").length;
