/** Rows are lettered A, B, … from the screen; seats numbered 1..n from the left; labels like A-1. */
export function seatLayout(rows: number, seatsPerRow: number) {
  const seats: { label: string; row: string; number: number; position: number }[] = [];
  for (let r = 0; r < rows; r++) {
    const row = String.fromCharCode(65 + r);
    for (let n = 1; n <= seatsPerRow; n++) seats.push({ label: `${row}-${n}`, row, number: n, position: r * seatsPerRow + n });
  }
  return seats;
}
