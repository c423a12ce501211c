import { AppError, ErrorCode, notFound } from "@cinema/platform/errors";
import { canSee, type Viewer } from "@cinema/platform/auth";
import { createEvent, type CancellationReason, type PricedSeat } from "@cinema/platform/events";
import { enqueueEvents, type RawSql } from "@cinema/platform/outbox";
import type { Reservation } from "../generated/prisma/client.ts";
import type { ReserveDeps } from "./reserve.ts";
import { forgetSold } from "./taken-seats.ts";
import { cancelCutoffFor, cancellationRefusal } from "./cancellation-policy.ts";

const ALREADY: Record<string, string> = {
  CANCELLED: "This booking is already cancelled; its refund is on its way or done.",
  FAILED: "This booking did not go through, so there is nothing to cancel.",
  PENDING: "This booking is still being processed; try again in a moment.",
};

type Tx = Parameters<Parameters<ReserveDeps["db"]["$transaction"]>[0]>[0];

type CancelDeps = Pick<ReserveDeps, "db" | "relay" | "catalog">;
/** Who cancels and why, as the event and my page say it. */
export type CancelledBy = { cancelledBy: string; reason: CancellationReason; note?: string };

/**
 * What every cancellation of a booking checks, then `change` on its row locked in a transaction:
 * the booking is the viewer's (staff: any), CONFIRMED, and customers are within the cinema's cutoff
 * before the start (cancellation-policy.ts); staff always may (a broken projector does not wait for
 * the rules). Of two concurrent cancellations, the second sees the first's outcome. `prepare` asks
 * what `change` needs of other services, from the row as read before the lock (no lock waits on them).
 */
export async function changeCancellable<T, P = undefined>(
  deps: CancelDeps,
  viewer: NonNullable<Viewer>,
  id: string,
  change: (tx: Tx & RawSql, r: Reservation, why: CancelledBy, prepared: P) => Promise<T>,
  prepare?: (before: Reservation) => Promise<P>,
): Promise<T> {
  const staff = viewer.role === "admin";
  // The cutoff is read before the row is locked: no lock waits on the movie subgraph.
  const before = await deps.db.reservation.findUnique({ where: { id } });
  if (!before || !canSee(viewer, before.customerId)) throw notFound("Reservation", id);
  const cutoff = !staff && before.screeningStartsAt ? await cancelCutoffFor(deps.catalog, before.screeningId, before.screeningStartsAt) : null;
  const prepared = (await prepare?.(before)) as P;
  const result = await deps.db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM reservation WHERE id = ${id}::uuid FOR UPDATE`;
    const r = locked && (await tx.reservation.findUnique({ where: { id } }));
    if (!r) throw notFound("Reservation", id);
    if (r.status !== "CONFIRMED") throw new AppError(ErrorCode.CONFLICT, ALREADY[r.status] ?? "This booking cannot be cancelled.");
    const refusal = cutoff !== null && r.screeningStartsAt ? cancellationRefusal(r.screeningStartsAt, cutoff) : null;
    if (refusal) throw refusal;
    return change(tx, r, { cancelledBy: viewer.id, reason: viewer.id === r.customerId ? "CUSTOMER" : "STAFF" }, prepared);
  });
  void deps.relay.kick();
  return result;
}

/**
 * Cancels a confirmed booking: the ticket is voided and the reservation CANCELLED in one
 * transaction with the `reservation.cancelled` event, so the ticket is dead before any refund
 * starts. The refund (payment) and the seat release (seat) follow from the event.
 */
export async function cancelReservation(deps: CancelDeps, viewer: NonNullable<Viewer>, id: string): Promise<Reservation> {
  const cancelled = await changeCancellable(deps, viewer, id, cancelBooking);
  // Its seats are released once refunded: stop answering for them as sold.
  forgetSold(cancelled.screeningId, cancelled.seats);
  return cancelled;
}

/**
 * The one way a CONFIRMED booking becomes CANCELLED, in the caller's transaction (the row locked
 * and checked by it): ticket VOID, status and reason, and `reservation.cancelled` in the outbox.
 */
export async function cancelBooking(
  tx: Tx & RawSql,
  r: Reservation,
  why: CancelledBy,
): Promise<Reservation> {
  await tx.ticket.updateMany({ where: { reservationId: r.id, status: "ISSUED" }, data: { status: "VOID", voidedAt: new Date() } });
  const updated = await tx.reservation.update({ where: { id: r.id }, data: { status: "CANCELLED", cancelReason: why.reason, version: { increment: 1 } } });
  await enqueueEvents(
    tx,
    createEvent(
      "reservation.cancelled",
      r.id,
      {
        reservationId: r.id,
        customerId: r.customerId,
        screeningId: r.screeningId,
        seats: r.seats,
        amountCents: r.amountCents ?? 0,
        currency: r.currency ?? "KRW",
        ...(r.lines && { lines: r.lines as unknown as PricedSeat[] }),
        cancelledBy: why.cancelledBy,
        reason: why.reason,
        ...(why.note && { note: why.note }),
      },
      updated.version,
    ),
  );
  return updated;
}
