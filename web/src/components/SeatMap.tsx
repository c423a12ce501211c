// The seat map: one button per seat, laid out row by row like the auditorium. Keyboard users get
// one tab stop for the whole map (roving tabindex) and move between seats with the arrow keys,
// Home/End within a row; Enter or Space chooses. Taken seats stay focusable (aria-disabled, not
// disabled) so moving through the map announces them too.
import { useRef, useState, type CSSProperties, type KeyboardEvent } from "react";
import { useI18n } from "../i18n.tsx";
import type { Seat, SeatStatus } from "../queries.ts";

interface Props {
  seats: Seat[];
  selected?: ReadonlySet<string>;
  /** Absent: a read-only map (staff occupancy view). */
  onToggle?: (label: string) => void;
  /** Whether one more seat may be chosen (the per-booking limit). */
  canAdd?: boolean;
}

export function SeatMap({ seats, selected = new Set(), onToggle, canAdd = true }: Props) {
  const { t } = useI18n();
  const rows = groupRows(seats);
  const [focused, setFocused] = useState<string | undefined>();
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const tabStop = focused && seats.some((s) => s.label === focused) ? focused : seats[0]?.label;

  const move = (event: KeyboardEvent, rowIndex: number, seatIndex: number) => {
    const row = rows[rowIndex]!;
    let target: Seat | undefined;
    switch (event.key) {
      case "ArrowLeft": target = row.seats[seatIndex - 1]; break;
      case "ArrowRight": target = row.seats[seatIndex + 1]; break;
      case "Home": target = row.seats[0]; break;
      case "End": target = row.seats[row.seats.length - 1]; break;
      case "ArrowUp":
      case "ArrowDown": {
        // The same seat number in the next row (or the nearest one, rows may differ in length).
        const next = rows[rowIndex + (event.key === "ArrowUp" ? -1 : 1)];
        const number = row.seats[seatIndex]!.number;
        target = next?.seats.reduce((best, s) => (Math.abs(s.number - number) < Math.abs(best.number - number) ? s : best));
        break;
      }
      default: return;
    }
    event.preventDefault();
    if (!target) return;
    setFocused(target.label);
    buttons.current.get(target.label)?.focus();
  };

  const stateOf = (seat: Seat): SeatStatus | "SELECTED" => (selected.has(seat.label) && seat.status === "AVAILABLE" ? "SELECTED" : seat.status);
  return (
    <div className="seatmap">
      <div className="screen" aria-hidden="true">{t("seat.screen")}</div>
      <div
        className="seat-rows"
        role="group"
        aria-label={t("seat.mapLabel", { rows: rows.length })}
        // The grid's column count: seats shrink to fit a phone's width instead of scrolling.
        style={{ "--seats": Math.max(1, ...rows.map((r) => r.seats.length)) } as CSSProperties}
      >
        {rows.map((row, rowIndex) => (
          <div className="seat-row" key={row.row}>
            <span className="row-label" aria-hidden="true">{row.row}</span>
            {row.seats.map((seat, seatIndex) => {
              const state = stateOf(seat);
              const taken = seat.status !== "AVAILABLE";
              const blocked = !onToggle || taken || (state !== "SELECTED" && !canAdd);
              return (
                <button
                  key={seat.label}
                  ref={(el) => void (el ? buttons.current.set(seat.label, el) : buttons.current.delete(seat.label))}
                  type="button"
                  className={`seat seat-${state.toLowerCase()}`}
                  data-seat={seat.label}
                  data-status={seat.status}
                  tabIndex={seat.label === tabStop ? 0 : -1}
                  aria-pressed={onToggle ? state === "SELECTED" : undefined}
                  aria-disabled={blocked || undefined}
                  aria-label={t("seat.label", { seat: seat.label, state: t(state === "SELECTED" ? "seat.selected" : `seat.${seat.status}`) })}
                  title={seat.label}
                  onFocus={() => setFocused(seat.label)}
                  onKeyDown={(e) => move(e, rowIndex, seatIndex)}
                  onClick={() => !blocked && onToggle?.(seat.label)}
                >
                  {seat.number}
                </button>
              );
            })}
            <span className="row-label" aria-hidden="true">{row.row}</span>
          </div>
        ))}
      </div>
      <ul className="legend" aria-label={t("seat.legend")}>
        {(["AVAILABLE", "SELECTED", "HELD", "SOLD"] as const).map((state) => (
          <li key={state}>
            <span className={`seat seat-${state.toLowerCase()} swatch`} aria-hidden="true" />
            {t(state === "SELECTED" ? "seat.selected" : `seat.${state}`)}
          </li>
        ))}
      </ul>
    </div>
  );
}

function groupRows(seats: Seat[]): { row: string; seats: Seat[] }[] {
  const rows = new Map<string, Seat[]>();
  for (const seat of seats) rows.set(seat.row, [...(rows.get(seat.row) ?? []), seat]);
  return [...rows.entries()]
    .sort(([a], [b]) => a.length - b.length || a.localeCompare(b)) // A … Z, then AA …
    .map(([row, list]) => ({ row, seats: list.sort((a, b) => a.number - b.number) }));
}
