import { AppError, ErrorCode, badInput, notFound } from "@cinema/platform/errors";
import { canSee, type Viewer } from "@cinema/platform/auth";
import { createEvent } from "@cinema/platform/events";
import { enqueueEvents } from "@cinema/platform/outbox";
import type { Reservation } from "../generated/prisma/client.ts";
import type { ReserveDeps } from "./reserve.ts";
import { forgetSold } from "./taken-seats.ts";

const ALREADY: Record<string, string> = {
  CANCELLED: "This booking is already cancelled; its refund is on its way or done.",
  FAILED: "This booking did not go through, so there is nothing to cancel.",
  PENDING: "This booking is still being processed; try again in a moment.",
};

/**
 * Cancels a confirmed booking: the ticket is voided and the reservation CANCELLED in one
 * transaction with the `reservation.cancelled` event, so the ticket is dead before any refund
 * starts. The refund (payment) and the seat release (seat) follow from the event.
 */
export async function cancelReservation(deps: Pick<ReserveDeps, "db" | "relay">, viewer: NonNullable<Viewer>, id: string): Promise<Reservation> {
  const cancelled = await deps.db.$transaction(async (tx) => {
    // Locks the row: of two concurrent cancels, the second sees CANCELLED.
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM reservation WHERE id = ${id}::uuid FOR UPDATE`;
    const r = locked && (await tx.reservation.findUnique({ where: { id } }));
    if (!r || !canSee(viewer, r.customerId)) throw notFound("Reservation", id);
    if (r.status !== "CONFIRMED") throw new AppError(ErrorCode.CONFLICT, ALREADY[r.status] ?? "This booking cannot be cancelled.");
    if (r.screeningStartsAt && r.screeningStartsAt.getTime() <= Date.now()) {
      throw badInput("id", "The screening has already started, so this booking can no longer be cancelled.");
    }
    await tx.ticket.updateMany({ where: { reservationId: id, status: "ISSUED" }, data: { status: "VOID", voidedAt: new Date() } });
    const updated = await tx.reservation.update({ where: { id }, data: { status: "CANCELLED", version: { increment: 1 } } });
    await enqueueEvents(
      tx,
      createEvent(
        "reservation.cancelled",
        id,
        {
          reservationId: id,
          customerId: r.customerId,
          screeningId: r.screeningId,
          seats: r.seats,
          amountCents: r.amountCents ?? 0,
          currency: r.currency ?? "KRW",
          cancelledBy: viewer.id,
        },
        updated.version,
      ),
    );
    return updated;
  });
  void deps.relay.kick();
  // Its seats are released once refunded: stop answering for them as sold.
  forgetSold(cancelled.screeningId, cancelled.seats);
  return cancelled;
}
