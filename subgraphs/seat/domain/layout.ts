import type { LayoutSeat } from "@cinema/platform/events";

/** A seat row as stored: the layout's seat, its place in the seat map and its starting status. */
export interface SeatRecord {
  label: string;
  row: string;
  number: number;
  position: number;
  gridRow: number;
  gridColumn: number;
  seatClass: LayoutSeat["seatClass"];
  pairLabel: string | null;
  status: "AVAILABLE" | "BLOCKED";
}

/**
 * The seats of an older event (no `seats`): a rectangle of STANDARD seats, rows lettered A, B, …
 * from the screen, seats numbered 1..n from the left, labels like A-1, drawn without gaps.
 */
export function seatLayout(rows: number, seatsPerRow: number): SeatRecord[] {
  const seats: SeatRecord[] = [];
  for (let r = 0; r < rows; r++) {
    const row = String.fromCharCode(65 + r);
    for (let n = 1; n <= seatsPerRow; n++) {
      seats.push({ label: `${row}-${n}`, row, number: n, position: r * seatsPerRow + n, gridRow: r + 1, gridColumn: n, seatClass: "STANDARD", pairLabel: null, status: "AVAILABLE" });
    }
  }
  return seats;
}

/**
 * The seats of a drawn layout, as the movie subgraph parsed it. Positions follow the drawing
 * (top to bottom, left to right): holds lock rows in this order, and the seat map lists them so.
 */
export function seatsFromLayout(layout: readonly LayoutSeat[]): SeatRecord[] {
  return [...layout]
    .sort((a, b) => a.gridRow - b.gridRow || a.gridColumn - b.gridColumn)
    .map((seat, i) => ({
      label: seat.label,
      row: seat.row,
      number: seat.number,
      position: i + 1,
      gridRow: seat.gridRow,
      gridColumn: seat.gridColumn,
      seatClass: seat.seatClass,
      pairLabel: seat.pairLabel ?? null,
      status: seat.blocked ? "BLOCKED" : "AVAILABLE",
    }));
}
