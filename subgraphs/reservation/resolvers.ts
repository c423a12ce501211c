import { canSee, requireAdmin, requireUser } from "@cinema/platform/auth";
import { badInput, forbidden } from "@cinema/platform/errors";
import type { RequestContext } from "@cinema/platform/server";
import { isId, parseInput } from "@cinema/platform/validation";
import type { Reservation } from "./generated/prisma/client.ts";
import QRCode from "qrcode";
import type { Ticket } from "./generated/prisma/client.ts";
import { cancelReservation } from "./domain/cancel.ts";
import { cancelSeats, type SeatPairs } from "./domain/cancel-seats.ts";
import { screeningCancellationProgress, type ScreeningCancellationProgress } from "./domain/cancel-screening.ts";
import { cancellationDeadline, cinemaCutoff } from "./domain/cancellation-policy.ts";
import { reconcile } from "./domain/reconcile.ts";
import { bookedLines, reserve, type ReserveDeps } from "./domain/reserve.ts";
import { reserveInput } from "./domain/validation.ts";
import type { EventBus } from "@cinema/platform/nats";
import { requirePass } from "./waiting-room/guard.ts";
import { joinWaitingRoom, type WaitingRoomStatus } from "./waiting-room/join.ts";
import type { RoomRow } from "./waiting-room/rooms.ts";
import { setWaitingRoom } from "./waiting-room/set-room.ts";
import { setWaitingRoomInput } from "./waiting-room/validation.ts";

export interface ReservationContext extends RequestContext {
  deps: ReserveDeps & { seatPairs: SeatPairs };
  /** For the waiting room's broadcasts. */
  bus: EventBus;
}

function screeningIdArg(id: unknown): string {
  if (!isId(id)) throw badInput("screeningId", "screeningId: must be an id returned by the API");
  return id;
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
    waitingRoom: (_: unknown, { screeningId }: { screeningId: string }, { deps }: ReservationContext) =>
      isId(screeningId) ? deps.db.waitingRoom.findUnique({ where: { screeningId } }) : null,
    waitingRooms: (_: unknown, __: unknown, { viewer, deps }: ReservationContext) => {
      requireAdmin(viewer);
      return deps.db.waitingRoom.findMany({ orderBy: { updatedAt: "desc" }, take: 500 });
    },
    screeningCancellation: (_: unknown, { screeningId }: { screeningId: unknown }, { viewer, deps }: ReservationContext) => {
      requireAdmin(viewer);
      return screeningCancellationProgress(deps.db, screeningIdArg(screeningId));
    },
  },
  ScreeningCancellation: {
    requestedAt: (p: ScreeningCancellationProgress) => p.requestedAt.toISOString(),
    finishedAt: (p: ScreeningCancellationProgress) => p.finishedAt?.toISOString() ?? null,
    done: (p: ScreeningCancellationProgress) => p.finishedAt !== null && p.refunded === p.cancelled,
  },
  Mutation: {
    reserve: async (_: unknown, { input }: { input: unknown }, { viewer, deps }: ReservationContext) => {
      const customer = requireUser(viewer);
      if (customer.role === "service") throw forbidden("Bookings are made by customers.");
      const parsed = parseInput(reserveInput(), input);
      // A screening's waiting room, when on, lets only customers with a pass choose seats.
      await requirePass(deps.db, customer.id, parsed);
      return reserve(deps, customer.id, parsed);
    },
    cancelReservation: (_: unknown, { id }: { id: string }, { viewer, deps }: ReservationContext) => {
      const who = requireUser(viewer);
      if (!isId(id)) throw badInput("id", "id: must be an id returned by the API");
      return cancelReservation(deps, who, id);
    },
    cancelSeats: (_: unknown, { id, seats }: { id: string; seats: string[] }, { viewer, deps }: ReservationContext) => {
      const who = requireUser(viewer);
      if (!isId(id)) throw badInput("id", "id: must be an id returned by the API");
      if (seats.length > 100 || seats.some((s) => s.length > 16)) throw badInput("seats", "seats: seat labels of the booking, like A-1");
      return cancelSeats(deps, who, id, seats);
    },
    reconcileReservations: (_: unknown, __: unknown, { viewer, deps }: ReservationContext) => {
      requireAdmin(viewer);
      return reconcile(deps);
    },
    joinWaitingRoom: (_: unknown, { screeningId }: { screeningId: unknown }, { viewer, deps }: ReservationContext) => {
      const customer = requireUser(viewer);
      if (customer.role === "service") throw forbidden("Customers join waiting rooms.");
      return joinWaitingRoom(deps.db, screeningIdArg(screeningId), customer.id);
    },
    setWaitingRoom: (_: unknown, { input }: { input: unknown }, { viewer, deps, bus }: ReservationContext) => {
      requireAdmin(viewer);
      return setWaitingRoom({ db: deps.db, bus, catalog: deps.catalog }, parseInput(setWaitingRoomInput, input));
    },
  },
  WaitingRoom: {
    admittedUpTo: (r: RoomRow) => Math.floor(r.admitted),
    waiting: (r: RoomRow) => Math.max(0, r.joined - Math.floor(r.admitted)),
  },
  WaitingRoomStatus: {
    passExpiresAt: (s: WaitingRoomStatus) => s.passExpiresAt?.toISOString() ?? null,
  },
  Reservation: {
    __resolveReference: ({ id }: { id: string }, ctx: ReservationContext) => findVisible(id, ctx),
    screening: (r: Reservation) => ({ __typename: "Screening", id: r.screeningId }),
    failureReason: (r: Reservation) => (r.status === "FAILED" ? r.failureMessage : null),
    cancelReason: (r: Reservation) => (r.status === "CANCELLED" ? r.cancelReason : null),
    cancelCutoffMinutes: (r: Reservation, _: unknown, { deps }: ReservationContext) => cinemaCutoff(deps.catalog, r.screeningId),
    cancellableUntil: async (r: Reservation, _: unknown, { deps }: ReservationContext) =>
      r.screeningStartsAt ? cancellationDeadline(r.screeningStartsAt, await cinemaCutoff(deps.catalog, r.screeningId)).toISOString() : null,
    lines: (r: Reservation) => (r.amountCents === null ? [] : bookedLines(r)),
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
