// The seat pair rule, one definition for the seat subgraph (a hold) and the reservation subgraph
// (the seats a partial cancellation keeps): a couple seat goes with its partner, a companion seat
// with its wheelchair space; a wheelchair space may be booked alone.
import { AppError, ErrorCode } from "./errors.ts";
import type { SeatClass } from "./events.ts";

/** A seat as the pair rules see it. */
export interface PairedSeat {
  label: string;
  seatClass: SeatClass;
  pairLabel: string | null;
}

/**
 * The first of `seats` whose pair is not among `asked`, as a typed refusal (BAD_USER_INPUT with
 * `rule`, `seat`, `pairLabel`, and `field`); null when the rules hold. `hint` ends the message.
 */
export function pairRuleRefusal(seats: readonly PairedSeat[], asked: readonly string[], opts: { field?: string; hint?: string } = {}): AppError | null {
  const wanted = new Set(asked);
  const hint = opts.hint ? ` ${opts.hint}` : "";
  for (const seat of seats) {
    if (!seat.pairLabel || wanted.has(seat.pairLabel)) continue;
    const extra = { field: opts.field ?? "input.seats", seat: seat.label, pairLabel: seat.pairLabel };
    if (seat.seatClass === "COUPLE") {
      return new AppError(ErrorCode.BAD_USER_INPUT, `Couple seats are sold together: ${seat.label} goes with ${seat.pairLabel}.${hint}`, {
        ...extra,
        rule: "COUPLE_PAIR",
      });
    }
    if (seat.seatClass === "COMPANION") {
      return new AppError(
        ErrorCode.BAD_USER_INPUT,
        `A companion seat is sold with its wheelchair space: ${seat.label} goes with ${seat.pairLabel}.${hint}`,
        { ...extra, rule: "COMPANION_WITH_WHEELCHAIR" },
      );
    }
  }
  return null;
}
