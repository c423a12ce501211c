import DataLoader from "dataloader";
import { linesBeforeTicketTypes, type PricedSeat } from "@cinema/platform/events";
import type { MypageDb } from "./data.ts";
import type { StatusChange } from "./generated/prisma/client.ts";

/** A booking row with its history, as the resolvers and the live notifications present it. */
export const loadMyReservation = (db: MypageDb, reservationId: string) =>
  db.myReservation.findUnique({ where: { reservationId }, include: { history: { orderBy: { at: "asc" } } } });

/** Several bookings at once (the live notifications after a batch of events). */
export const loadMyReservations = (db: MypageDb, reservationIds: string[]) =>
  db.myReservation.findMany({ where: { reservationId: { in: reservationIds } }, include: { history: { orderBy: { at: "asc" } } } });

type Row = Omit<NonNullable<Awaited<ReturnType<typeof loadMyReservation>>>, "history"> & { history?: StatusChange[] };

/** One query per request for the history of every booking a page shows (no N+1). */
export function createLoaders(db: MypageDb) {
  return {
    history: new DataLoader<string, StatusChange[]>(async (ids) => {
      const rows = await db.statusChange.findMany({ where: { reservationId: { in: [...ids] } }, orderBy: { at: "asc" } });
      return ids.map((id) => rows.filter((r) => r.reservationId === id));
    }),
  };
}

export const historyToGraphQL = (history: StatusChange[]) => history.map((h) => ({ at: h.at.toISOString(), kind: h.kind, description: h.description }));

/** The GraphQL `MyReservation` shape (also the JSON of live notifications). */
export function toGraphQL(r: Row) {
  return {
    id: r.reservationId,
    status: r.reservationStatus,
    paymentStatus: r.paymentStatus,
    ticketStatus: r.ticketStatus,
    ticketCode: r.ticketCode,
    seatsReleased: r.seatsReleased,
    movieTitle: r.movieTitle,
    auditoriumName: r.auditoriumName,
    screeningStartsAt: r.screeningStartsAt?.toISOString() ?? null,
    cinemaName: r.cinemaName,
    seats: r.seats,
    lines: Array.isArray(r.lines) ? (r.lines as unknown as PricedSeat[]) : linesBeforeTicketTypes(r.seats, r.amountCents),
    amountCents: r.amountCents,
    currency: r.currency,
    refundedAmountCents: r.refundedAmountCents,
    bookedAt: r.bookedAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    // Absent when the page was read without it: the MyReservation.history resolver loads it then.
    history: r.history && historyToGraphQL(r.history),
  };
}
