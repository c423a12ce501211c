import { AppError, ErrorCode, seatsTaken } from "@cinema/platform/errors";

/**
 * SEAT_UNAVAILABLE for seats someone else has or that are blocked from sale: `seats` names them
 * all, `soldSeats` the sold ones, `blockedSeats` those not for sale at all.
 */
export function seatsUnavailable(taken: string[], sold: string[], blocked: string[]): AppError {
  if (!blocked.length) return seatsTaken(taken, sold);
  const notForSale = `${blocked.join(", ")} ${blocked.length === 1 ? "is" : "are"} not for sale.`;
  const others = taken.filter((label) => !blocked.includes(label));
  const message = others.length
    ? `Sorry, ${others.join(", ")} ${others.length === 1 ? "was" : "were"} just taken, and ${notForSale} Please choose other seats.`
    : `Sorry, ${notForSale} Please choose other seats.`;
  return new AppError(ErrorCode.SEAT_UNAVAILABLE, message, { seats: taken, soldSeats: sold, blockedSeats: blocked });
}
