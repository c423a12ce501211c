import { AppError, ErrorCode } from "@cinema/platform/errors";
import type { SeatClass } from "@cinema/platform/events";

/** A seat as the pair rules see it. */
export interface PairedSeat {
  label: string;
  seatClass: SeatClass;
  pairLabel: string | null;
}

/**
 * The rule in SQL, over a seat row and the asked labels ($labels): a couple seat goes with its
 * partner, a companion seat with its wheelchair space. A wheelchair space may be booked alone.
 */
export const pairRuleHolds = (labels: string) =>
  `(seat_class NOT IN ('COUPLE', 'COMPANION') OR pair_label IS NULL OR pair_label = ANY(${labels}))`;

/** The first asked seat whose pair is not also asked, as a typed refusal; null when the rules hold. */
export function pairRuleRefusal(seats: readonly PairedSeat[], asked: readonly string[]): AppError | null {
  const wanted = new Set(asked);
  for (const seat of seats) {
    if (!seat.pairLabel || wanted.has(seat.pairLabel)) continue;
    const extra = { field: "input.seats", seat: seat.label, pairLabel: seat.pairLabel };
    if (seat.seatClass === "COUPLE") {
      return new AppError(ErrorCode.BAD_USER_INPUT, `Couple seats are sold together: ${seat.label} goes with ${seat.pairLabel}.`, {
        ...extra,
        rule: "COUPLE_PAIR",
      });
    }
    if (seat.seatClass === "COMPANION") {
      return new AppError(
        ErrorCode.BAD_USER_INPUT,
        `A companion seat is sold with its wheelchair space: ${seat.label} goes with ${seat.pairLabel}.`,
        { ...extra, rule: "COMPANION_WITH_WHEELCHAIR" },
      );
    }
  }
  return null;
}
