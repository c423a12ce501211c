import { AppError, ErrorCode } from "@cinema/platform/errors";
import { normalizeLayout, parseLayout, type ParsedLayout } from "./layout.ts";

/** What an auditorium row stores of a valid layout: the text, and its extent for older readers. */
export interface SavedLayout {
  layout: string;
  rows: number;
  seatsPerRow: number;
  parsed: ParsedLayout;
}

/**
 * Parses a layout about to be saved; a layout with errors is refused with all of them
 * (`extensions.layoutErrors`), the first one in the message.
 */
export function layoutToSave(text: string, field = "input.layout"): SavedLayout {
  const parsed = parseLayout(text);
  if (parsed.errors.length > 0) {
    const [first] = parsed.errors;
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : "";
    throw new AppError(ErrorCode.BAD_USER_INPUT, `${field}: ${first!.message}${more}`, { field, layoutErrors: parsed.errors });
  }
  const perRow = new Map<string, number>();
  for (const seat of parsed.seats) perRow.set(seat.row, (perRow.get(seat.row) ?? 0) + 1);
  return { layout: normalizeLayout(text), rows: perRow.size, seatsPerRow: Math.max(...perRow.values()), parsed };
}
