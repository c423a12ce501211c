import { canSee, requireUser } from "@cinema/platform/auth";
import { forbidden } from "@cinema/platform/errors";
import type { RequestContext } from "@cinema/platform/server";
import { isId, parseInput } from "@cinema/platform/validation";
import type { Reservation } from "./generated/prisma/client.ts";
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
  },
  Reservation: {
    __resolveReference: ({ id }: { id: string }, ctx: ReservationContext) => findVisible(id, ctx),
    screening: (r: Reservation) => ({ __typename: "Screening", id: r.screeningId }),
    failureReason: (r: Reservation) => (r.status === "FAILED" ? r.failureMessage : null),
    createdAt: (r: Reservation) => r.createdAt.toISOString(),
    updatedAt: (r: Reservation) => r.updatedAt.toISOString(),
  },
};
