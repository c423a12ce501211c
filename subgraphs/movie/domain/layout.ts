import type { LayoutSeat, SeatClass } from "@cinema/platform/events";

/**
 * An auditorium drawn as text, one line per row, as the audience sees it (screen at the top).
 * See docs/cinema-chain.md "Layouts": marks, lettering, pairing and the limits are fixed there.
 */
export interface LayoutError {
  /** 1-based line of the text. */
  line: number;
  /** The row letter when the line is a lettered row of seats. */
  row: string | null;
  /** 1-based column (character) of the line. */
  column: number;
  message: string;
}

export interface ParsedLayout {
  seats: LayoutSeat[];
  gridRows: number;
  gridColumns: number;
  /** Every seat of the house, blocked ones (X) included. */
  capacity: number;
  errors: LayoutError[];
}

export const MAX_ROWS = 26;
export const MAX_COLUMNS = 60;

const CLASS_OF: Record<string, SeatClass> = { S: "STANDARD", P: "PREMIUM", C: "COUPLE", W: "WHEELCHAIR", w: "COMPANION", X: "STANDARD" };
const GAP = new Set([".", " "]);
const isSeatMark = (ch: string | undefined) => ch !== undefined && Object.hasOwn(CLASS_OF, ch);

/** Lines of the text: CR/LF tolerant, trailing spaces and trailing blank lines dropped (nothing is drawn there). */
export function layoutLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/ +$/, ""));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The layout as stored: the same lines the parser reads, so the stored text draws what was parsed. */
export const normalizeLayout = (text: string) => layoutLines(text).join("\n");

/** The legacy rows × seatsPerRow hall: a rectangle of standard seats. */
export const rectangleLayout = (rows: number, seatsPerRow: number) => Array.from({ length: rows }, () => "S".repeat(seatsPerRow)).join("\n");

/** Parses a layout; every error is reported (not only the first), each naming its line, row and column. */
export function parseLayout(text: string): ParsedLayout {
  const lines = layoutLines(text).map((l) => Array.from(l));
  const seats: LayoutSeat[] = [];
  const errors: LayoutError[] = [];
  let lettered = 0;
  let tooManyRowsReported = false;

  lines.forEach((chars, index) => {
    const line = index + 1;
    if (!chars.some(isSeatMark)) {
      // A cross aisle (or a line of unknown marks): drawn, not lettered.
      chars.forEach((ch, i) => {
        if (!GAP.has(ch)) errors.push(error(line, null, i + 1, unknownMark(ch)));
      });
      if (chars.length > MAX_COLUMNS) errors.push(error(line, null, MAX_COLUMNS + 1, tooWide()));
      return;
    }
    lettered++;
    if (lettered > MAX_ROWS) {
      const first = chars.findIndex(isSeatMark) + 1;
      if (!tooManyRowsReported) errors.push(error(line, null, first, `too many rows of seats: at most ${MAX_ROWS} (lettered A–Z).`));
      tooManyRowsReported = true;
      return;
    }
    const row = String.fromCharCode(64 + lettered);
    const rowSeats = parseRow(chars, row, line, errors);
    if (chars.length > MAX_COLUMNS) errors.push(error(line, row, MAX_COLUMNS + 1, tooWide()));
    seats.push(...rowSeats);
  });

  if (lettered === 0) errors.push(error(1, null, 1, "a layout needs at least one seat (S, P, C, W, w or X)."));
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    seats,
    gridRows: lines.length,
    gridColumns: Math.max(0, ...lines.map((l) => l.length)),
    capacity: seats.length,
    errors,
  };
}

/** One lettered row: seats numbered from the left, couples paired within their runs, companions tied to their W. */
function parseRow(chars: string[], row: string, line: number, errors: LayoutError[]): LayoutSeat[] {
  const seatAt = new Map<number, LayoutSeat>(); // by 0-based column
  let number = 0;
  chars.forEach((ch, col) => {
    if (GAP.has(ch)) return;
    if (!isSeatMark(ch)) {
      errors.push(error(line, row, col + 1, unknownMark(ch)));
      return;
    }
    number++;
    seatAt.set(col, {
      label: `${row}-${number}`,
      row,
      number,
      gridRow: line,
      gridColumn: col + 1,
      seatClass: CLASS_OF[ch]!,
      pairLabel: null,
      blocked: ch === "X",
    });
  });
  pairCouples(chars, seatAt, row, line, errors);
  tieCompanions(chars, seatAt, row, line, errors);
  return [...seatAt.values()];
}

/** `CCCC` is two pairs, paired from the left; the odd one of an odd run has no partner. */
function pairCouples(chars: string[], seatAt: Map<number, LayoutSeat>, row: string, line: number, errors: LayoutError[]) {
  for (let col = 0; col < chars.length; col++) {
    if (chars[col] !== "C") continue;
    let end = col;
    while (chars[end + 1] === "C") end++;
    for (let left = col; left <= end; left += 2) {
      if (left === end) {
        errors.push(error(line, row, left + 1, "a couple seat needs its partner beside it (CC)."));
        break;
      }
      const a = seatAt.get(left)!;
      const b = seatAt.get(left + 1)!;
      a.pairLabel = b.label;
      b.pairLabel = a.label;
    }
    col = end;
  }
}

/** A `w` touches exactly one `W` (left or right), and that `W` has no other companion. */
function tieCompanions(chars: string[], seatAt: Map<number, LayoutSeat>, row: string, line: number, errors: LayoutError[]) {
  const companionsOf = new Map<number, number[]>(); // W column → its w columns
  chars.forEach((ch, col) => {
    if (ch !== "w") return;
    const spaces = [col - 1, col + 1].filter((c) => chars[c] === "W");
    if (spaces.length === 0) {
      errors.push(error(line, row, col + 1, "a companion seat (w) must be directly beside a wheelchair space (W)."));
    } else if (spaces.length > 1) {
      errors.push(error(line, row, col + 1, "a companion seat (w) must be beside exactly one wheelchair space (W), not between two."));
    } else {
      companionsOf.set(spaces[0]!, [...(companionsOf.get(spaces[0]!) ?? []), col]);
    }
  });
  for (const [space, companions] of companionsOf) {
    if (companions.length > 1) {
      errors.push(error(line, row, space + 1, "a wheelchair space (W) may have only one companion seat (w) beside it."));
      continue;
    }
    // The companion is sold only with its space; the space may be sold alone.
    seatAt.get(companions[0]!)!.pairLabel = seatAt.get(space)!.label;
  }
}

function error(line: number, row: string | null, column: number, what: string): LayoutError {
  const where = row ? `Row ${row} (line ${line}), column ${column}` : `Line ${line}, column ${column}`;
  return { line, row, column, message: `${where}: ${what}` };
}

const unknownMark = (ch: string) =>
  `"${ch}" is not a layout mark (S, P, C, W, w, X for seats; "." or a space for no seat).`;
const tooWide = () => `the line is too wide: at most ${MAX_COLUMNS} columns.`;
