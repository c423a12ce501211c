import { randomUUID } from "node:crypto";
import { AppError, ErrorCode, badInput } from "@cinema/platform/errors";
import type { Viewer } from "@cinema/platform/auth";
import { cardCents, createEvent, linesBeforeTicketTypes, type PricedSeat, type SeatClass } from "@cinema/platform/events";
import { enqueueEvents } from "@cinema/platform/outbox";
import { pairRuleRefusal, type PairedSeat } from "@cinema/platform/seat-pairs";
import type { Reservation } from "../generated/prisma/client.ts";
import type { ReserveDeps } from "./reserve.ts";
import { cancelBooking, changeCancellable } from "./cancel.ts";
import { ticketCode } from "./issue-ticket.ts";
import { forgetSold } from "./taken-seats.ts";

/** The seat subgraph's layout of a screening, for the pair rules (asked only of bookings with paired seats). */
export interface SeatPairs {
  pairsOf(screeningId: string): Promise<PairedSeat[]>;
}

const PAIRED: ReadonlySet<SeatClass> = new Set(["COUPLE", "COMPANION", "WHEELCHAIR"]);

export type CancelSeatsDeps = Pick<ReserveDeps, "db" | "relay" | "catalog"> & { seatPairs: SeatPairs };

/**
 * Cancels some seats of a confirmed booking and keeps the rest, in one transaction: the booking
 * keeps the other seats, their lines and what they cost; the ticket is reissued (a new code: the
 * old one would still admit the cancelled seats); `reservation.seats-cancelled` carries the
 * refund, which is exactly the card's part of the cancelled seats' lines (a seat a voucher paid
 * gives its voucher back instead). Payment refunds it, then seat puts those seats back on sale.
 * Naming every seat is a whole cancellation. Same rules as cancelling (cutoff, owner, CONFIRMED).
 */
export async function cancelSeats(deps: CancelSeatsDeps, viewer: NonNullable<Viewer>, id: string, seats: string[]): Promise<Reservation> {
  const asked = [...new Set(seats)];
  if (!asked.length) throw badInput("seats", "Name at least one seat of the booking to cancel.");
  const updated = await changeCancellable<Reservation, PairedSeat[]>(
    deps,
    viewer,
    id,
    async (tx, r, why, pairs) => {
      const strangers = asked.filter((s) => !r.seats.includes(s));
      if (strangers.length) {
        throw new AppError(ErrorCode.BAD_USER_INPUT, `${strangers.join(", ")} ${strangers.length > 1 ? "are" : "is"} not in this booking (its seats: ${r.seats.join(", ")}).`, {
          field: "seats",
          seats: strangers,
        });
      }
      if (asked.length === r.seats.length) return cancelBooking(tx, r, why);
      const cancelling = new Set(asked);
      const remainingSeats = r.seats.filter((s) => !cancelling.has(s));
      // The seats kept must still be a booking the seat rules allow, or the cancelled half of a
      // pair would go on sale where nobody may book it alone.
      const split = pairRuleRefusal(pairs.filter((p) => remainingSeats.includes(p.label)), remainingSeats, { field: "seats", hint: "Cancel both, or keep both." });
      if (split) throw split;

      const lines = (r.lines as unknown as PricedSeat[] | null) ?? linesBeforeTicketTypes(r.seats, r.amountCents ?? 0);
      const kept = lines.filter((l) => !cancelling.has(l.seat));
      const leaving = lines.filter((l) => cancelling.has(l.seat));
      const refundCents = cardCents(leaving);
      const amountCents = (r.amountCents ?? 0) - refundCents;

      // A ticket not issued yet will be issued (by ticketing) for the seats kept.
      const [ticket] = await tx.$queryRaw<{ code: string }[]>`
        UPDATE "ticket" SET "code" = ${ticketCode()}, "issued_at" = now() WHERE "reservation_id" = ${r.id}::uuid AND "status" = 'ISSUED' RETURNING "code"`;
      const changed = await tx.reservation.update({
        where: { id: r.id },
        data: { seats: remainingSeats, lines: kept as never, amountCents, version: { increment: 1 } },
      });
      await enqueueEvents(
        tx,
        createEvent(
          "reservation.seats-cancelled",
          r.id,
          {
            reservationId: r.id,
            cancellationId: randomUUID(),
            customerId: r.customerId,
            screeningId: r.screeningId,
            seats: asked,
            remainingSeats,
            refundCents,
            vouchers: leaving.flatMap((l) => (l.voucherCode ? [l.voucherCode] : [])),
            amountCents,
            currency: r.currency ?? "KRW",
            lines: kept,
            ticketCode: ticket?.code ?? null,
            cancelledBy: why.cancelledBy,
            reason: why.reason,
          },
          changed.version,
        ),
      );
      return changed;
    },
    // Only a booking with a paired seat asks the seat subgraph for the screening's pairs.
    async (before) => ((before.lines as unknown as PricedSeat[] | null)?.some((l) => PAIRED.has(l.seatClass)) ? deps.seatPairs.pairsOf(before.screeningId) : []),
  );
  // Released once refunded: stop answering for them as sold.
  forgetSold(updated.screeningId, asked);
  return updated;
}
