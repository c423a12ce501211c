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

type Full = NonNullable<Awaited<ReturnType<typeof loadMyReservation>>>;
type Row = Omit<Full, "history" | "lines"> & { history?: StatusChange[]; lines?: Full["lines"] };

/** A booking's seats as charged (bookings from before ticket types: see linesBeforeTicketTypes). */
const linesOf = (r: Pick<Full, "lines" | "seats" | "amountCents">): PricedSeat[] =>
  Array.isArray(r.lines) ? (r.lines as unknown as PricedSeat[]) : linesBeforeTicketTypes(r.seats, r.amountCents);

/** One query per request for the history of every booking a page shows (no N+1). */
export function createLoaders(db: MypageDb) {
  return {
    history: new DataLoader<string, StatusChange[]>(async (ids) => {
      const rows = await db.statusChange.findMany({ where: { reservationId: { in: [...ids] } }, orderBy: { at: "asc" } });
      return ids.map((id) => rows.filter((r) => r.reservationId === id));
    }),
    /** The lines (a JSON column) of every booking a page shows, only when the page asks for them. */
    lines: new DataLoader<string, PricedSeat[]>(async (ids) => {
      const rows = await db.myReservation.findMany({ where: { reservationId: { in: [...ids] } }, select: { reservationId: true, seats: true, amountCents: true, lines: true } });
      const byId = new Map(rows.map((r) => [r.reservationId, linesOf(r)]));
      return ids.map((id) => byId.get(id) ?? []);
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
    // Absent when the page was read without it: the MyReservation.lines resolver loads it then.
    lines: r.lines === undefined ? undefined : linesOf({ ...r, lines: r.lines }),
    amountCents: r.amountCents,
    currency: r.currency,
    refundedAmountCents: r.refundedAmountCents,
    bookedAt: r.bookedAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    // Absent when the page was read without it: the MyReservation.history resolver loads it then.
    history: r.history && historyToGraphQL(r.history),
  };
}
