import { canSee, requireAdmin, requireUser } from "@cinema/platform/auth";
import { badInput, forbidden } from "@cinema/platform/errors";
import type { RequestContext } from "@cinema/platform/server";
import { isId, parseInput } from "@cinema/platform/validation";
import type { Reservation } from "./generated/prisma/client.ts";
import QRCode from "qrcode";
import type { Ticket } from "./generated/prisma/client.ts";
import { cancelReservation } from "./domain/cancel.ts";
import { reconcile } from "./domain/reconcile.ts";
import { reserve, type ReserveDeps } from "./domain/reserve.ts";
import { reserveInput } from "./domain/validation.ts";

export interface ReservationContext extends RequestContext {
  deps: ReserveDeps;
}

async function findVisible(id: string, { viewer, deps }: ReservationContext) {
  if (!isId(id)) return null;
  const r = await deps.db.reservation.findUnique({ where: { id } });
  // Someone else's booking is answered as if it did not exist.
  return r && canSee(viewer, r.customerId) ? r : null;
}

export const resolvers = {
  Query: {
    reservation: (_: unknown, { id }: { id: string }, ctx: ReservationContext) => findVisible(id, ctx),
  },
  Mutation: {
    reserve: (_: unknown, { input }: { input: unknown }, { viewer, deps }: ReservationContext) => {
      const customer = requireUser(viewer);
      if (customer.role === "service") throw forbidden("Bookings are made by customers.");
      return reserve(deps, customer.id, parseInput(reserveInput(), input));
    },
    cancelReservation: (_: unknown, { id }: { id: string }, { viewer, deps }: ReservationContext) => {
      const who = requireUser(viewer);
      if (!isId(id)) throw badInput("id", "id: must be an id returned by the API");
      return cancelReservation(deps, who, id);
    },
    reconcileReservations: (_: unknown, __: unknown, { viewer, deps }: ReservationContext) => {
      requireAdmin(viewer);
      return reconcile(deps);
    },
  },
  Reservation: {
    __resolveReference: ({ id }: { id: string }, ctx: ReservationContext) => findVisible(id, ctx),
    screening: (r: Reservation) => ({ __typename: "Screening", id: r.screeningId }),
    failureReason: (r: Reservation) => (r.status === "FAILED" ? r.failureMessage : null),
    ticket: (r: Reservation, _: unknown, { deps }: ReservationContext) => deps.db.ticket.findUnique({ where: { reservationId: r.id } }),
    createdAt: (r: Reservation) => r.createdAt.toISOString(),
    updatedAt: (r: Reservation) => r.updatedAt.toISOString(),
  },
  Ticket: {
    qrSvg: (t: Ticket) => QRCode.toString(t.code, { type: "svg", errorCorrectionLevel: "M", margin: 1 }),
    issuedAt: (t: Ticket) => t.issuedAt.toISOString(),
    voidedAt: (t: Ticket) => t.voidedAt?.toISOString() ?? null,
  },
};
