// The seat map, drawn as the auditorium's layout: each seat at its gridRow/gridColumn on a CSS
// grid, so aisles and gaps show where they are. Seat classes differ in shape, not colour alone
// (couple seats joined as one sofa, ♿ for a wheelchair space, + for a companion seat, a double
// outline for premium, ✕ for a seat not for sale), so colour-blind customers read them too.
// Keyboard users get one tab stop for the whole map (roving tabindex) and move between seats with
// the arrow keys (aisles are skipped), Home/End within a row; Enter or Space chooses. Taken seats
// stay focusable (aria-disabled, not disabled) so moving through the map announces them too.
import { useRef, useState, type CSSProperties, type KeyboardEvent } from "react";
import { useI18n, type MessageKey } from "../i18n.tsx";
import type { Seat, SeatClass, SeatStatus } from "../queries.ts";

interface Props {
  seats: Seat[];
  selected?: ReadonlySet<string>;
  /** Absent: a read-only map (staff occupancy view, layout preview). */
  onToggle?: (label: string) => void;
  /** Staff choosing seats to block: taken and blocked seats may be chosen too. */
  anyStatus?: boolean;
  /** The drawing's extent when known (a layout may end in a cross aisle). */
  gridRows?: number;
  gridColumns?: number;
  /** The map's accessible name; the customer's map explains the keys. */
  label?: string;
  /** A layout being drawn (staff): no sale yet, so the legend shows only what a drawing has. */
  preview?: boolean;
}

type State = SeatStatus | "SELECTED";
const CLASS_MARK: Partial<Record<SeatClass, string>> = { WHEELCHAIR: "♿", COMPANION: "+" };

export function SeatMap({ seats, selected = new Set(), onToggle, anyStatus = false, gridRows, gridColumns, label, preview = false }: Props) {
  const { t } = useI18n();
  const rows = groupRows(seats);
  const byLabel = new Map(seats.map((s) => [s.label, s]));
  const [focused, setFocused] = useState<string | undefined>();
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const tabStop = focused && byLabel.has(focused) ? focused : rows[0]?.seats[0]?.label;
  const columns = Math.max(gridColumns ?? 0, 1, ...seats.map((s) => s.gridColumn));
  const lines = Math.max(gridRows ?? 0, 1, ...seats.map((s) => s.gridRow));

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
        // The seat drawn nearest above or below (rows differ in length and aisles).
        const next = rows[rowIndex + (event.key === "ArrowUp" ? -1 : 1)];
        const column = row.seats[seatIndex]!.gridColumn;
        target = next?.seats.reduce((best, s) => (Math.abs(s.gridColumn - column) < Math.abs(best.gridColumn - column) ? s : best));
        break;
      }
      default: return;
    }
    event.preventDefault();
    if (!target) return;
    setFocused(target.label);
    buttons.current.get(target.label)?.focus();
  };

  const stateOf = (seat: Seat): State => (selected.has(seat.label) && (anyStatus || seat.status === "AVAILABLE") ? "SELECTED" : seat.status);
  const stateWord = (state: State) => t(state === "SELECTED" ? "seat.selected" : `seat.${state}`);
  const ariaLabel = (seat: Seat, state: State) => {
    if (seat.seatClass === "STANDARD") return t("seat.label", { seat: seat.label, state: stateWord(state) });
    const vars = { seat: seat.label, class: t(`class.${seat.seatClass}`), pair: seat.pairLabel ?? "", state: stateWord(state) };
    return t(seat.pairLabel ? "seat.labelPair" : "seat.labelClass", vars);
  };
  const classesHere = CLASS_ORDER.filter((c) => seats.some((s) => s.seatClass === c));

  return (
    <div className="seatmap">
      <div className="screen" aria-hidden="true">{t("seat.screen")}</div>
      <div
        className="seat-grid"
        role="group"
        aria-label={label ?? t("seat.mapLabel", { rows: rows.length })}
        // Label columns at both ends; seats shrink to fit a phone's width instead of scrolling.
        style={{ "--cols": columns, "--lines": lines } as CSSProperties}
      >
        {rows.map((row) => [
          <span key={`${row.row}-l`} className="row-label" aria-hidden="true" style={{ gridRow: row.gridRow, gridColumn: 1 }}>{row.row}</span>,
          <span key={`${row.row}-r`} className="row-label" aria-hidden="true" style={{ gridRow: row.gridRow, gridColumn: columns + 2 }}>{row.row}</span>,
        ])}
        {rows.map((row, rowIndex) =>
          row.seats.map((seat, seatIndex) => {
            const state = stateOf(seat);
            const unavailable = !anyStatus && seat.status !== "AVAILABLE";
            const inert = !onToggle || (unavailable && state !== "SELECTED");
            const partner = seat.seatClass === "COUPLE" && seat.pairLabel ? byLabel.get(seat.pairLabel) : undefined;
            const side = partner ? (partner.gridColumn > seat.gridColumn ? " sofa-left" : " sofa-right") : "";
            return (
              <button
                key={seat.label}
                ref={(el) => void (el ? buttons.current.set(seat.label, el) : buttons.current.delete(seat.label))}
                type="button"
                className={`seat seat-${state.toLowerCase()} class-${seat.seatClass.toLowerCase()}${side}`}
                style={{ gridRow: seat.gridRow, gridColumn: seat.gridColumn + 1 }}
                data-seat={seat.label}
                data-status={seat.status}
                data-class={seat.seatClass}
                tabIndex={seat.label === tabStop ? 0 : -1}
                aria-pressed={onToggle ? state === "SELECTED" : undefined}
                aria-disabled={inert || undefined}
                aria-label={ariaLabel(seat, state)}
                title={ariaLabel(seat, state)}
                onFocus={() => setFocused(seat.label)}
                onKeyDown={(e) => move(e, rowIndex, seatIndex)}
                onClick={() => !inert && onToggle?.(seat.label)}
              >
                {seat.status === "BLOCKED" ? "✕" : CLASS_MARK[seat.seatClass] ?? seat.number}
              </button>
            );
          }),
        )}
      </div>
      <div className="legends">
        {classesHere.length > 1 && (
          <ul className="legend" aria-label={t("legend.classes")}>
            {classesHere.map((c) => (
              <li key={c}>
                <span className={`legend-swatch${c === "COUPLE" ? " legend-sofa" : ""}`} aria-hidden="true">
                  {(c === "COUPLE" ? ["sofa-left", "sofa-right"] : [""]).map((side) => (
                    <span key={side} className={`seat seat-available class-${c.toLowerCase()} swatch ${side}`}>{CLASS_MARK[c] ?? ""}</span>
                  ))}
                </span>
                {t(`legend.${c}` as MessageKey)}
              </li>
            ))}
          </ul>
        )}
        <ul className="legend" aria-label={t("legend.states")}>
          {STATES.filter((s) => (preview ? s === "AVAILABLE" : s !== "BLOCKED") || (s === "BLOCKED" && seats.some((seat) => seat.status === "BLOCKED"))).map((state) => (
            <li key={state}>
              <span className={`seat seat-${state.toLowerCase()} swatch`} aria-hidden="true">{state === "BLOCKED" ? "✕" : ""}</span>
              {stateWord(state)}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

const CLASS_ORDER: readonly SeatClass[] = ["STANDARD", "PREMIUM", "COUPLE", "WHEELCHAIR", "COMPANION"];
const STATES: readonly State[] = ["AVAILABLE", "SELECTED", "HELD", "SOLD", "BLOCKED"];

/** Lettered rows from the top (A … Z), each with its seats left to right. */
function groupRows(seats: Seat[]): { row: string; gridRow: number; seats: Seat[] }[] {
  const rows = new Map<string, Seat[]>();
  for (const seat of seats) rows.set(seat.row, [...(rows.get(seat.row) ?? []), seat]);
  return [...rows.entries()]
    .map(([row, list]) => ({ row, gridRow: list[0]!.gridRow, seats: list.sort((a, b) => a.gridColumn - b.gridColumn) }))
    .sort((a, b) => a.gridRow - b.gridRow);
}
