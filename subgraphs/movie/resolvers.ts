import { requireAdmin } from "@cinema/platform/auth";
import { badInput, notFound } from "@cinema/platform/errors";
import type { OutboxRelay } from "@cinema/platform/outbox";
import type { RequestContext } from "@cinema/platform/server";
import { idSchema, isId, parseInput } from "@cinema/platform/validation";
import type { MovieDb } from "./data.ts";
import type { Auditorium, Cinema, Movie, Screening } from "./generated/prisma/client.ts";
import type { createLoaders } from "./loaders.ts";
import { scheduleScreening } from "./domain/schedule-screening.ts";
import { createAuditorium } from "./domain/create-auditorium.ts";
import { createCinema, updateCinema } from "./domain/cinema.ts";
import { updateAuditoriumLayout } from "./domain/update-auditorium-layout.ts";
import { cancelScreening } from "./domain/cancel-screening.ts";
import { parseLayout, type ParsedLayout } from "./domain/layout.ts";
import { localDayRange, parseLocalDate } from "@cinema/platform/time-zone";
import {
  createAuditoriumInput,
  createCinemaInput,
  layoutText,
  registerMovieInput,
  scheduleScreeningInput,
  screeningCancelReason,
  updateCinemaInput,
} from "./domain/validation.ts";

export interface MovieContext extends RequestContext {
  db: MovieDb;
  relay: OutboxRelay;
  loaders: ReturnType<typeof createLoaders>;
}

/** A row's layout parsed once per row object (seats and capacity both need it). */
const parsed = new WeakMap<Auditorium, ParsedLayout>();
const layoutOf = (a: Auditorium) => {
  let p = parsed.get(a);
  if (!p) parsed.set(a, (p = parseLayout(a.layout)));
  return p;
};

const required = async <T>(value: Promise<T | null>, what: string, id: string): Promise<T> => (await value) ?? Promise.reject(notFound(what, id));

export const resolvers = {
  Query: {
    movies: (_: unknown, __: unknown, { db }: MovieContext) => db.movie.findMany({ orderBy: [{ title: "asc" }, { createdAt: "asc" }] }),
    movie: (_: unknown, { id }: { id: string }, { loaders }: MovieContext) => (isId(id) ? loaders.movie.load(id) : null),
    screening: (_: unknown, { id }: { id: string }, { loaders }: MovieContext) => (isId(id) ? loaders.screening.load(id) : null),
    auditoriums: (_: unknown, __: unknown, { db }: MovieContext) => db.auditorium.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] }),
    cinemas: (_: unknown, __: unknown, { db }: MovieContext) => db.cinema.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] }),
    cinema: (_: unknown, { id }: { id: string }, { loaders }: MovieContext) => (isId(id) ? loaders.cinema.load(id) : null),
    previewLayout: (_: unknown, { layout }: { layout: string }) => parseLayout(parseInput(layoutText, layout, "layout")),
  },
  Mutation: {
    registerMovie: (_: unknown, { input }: { input: unknown }, { viewer, db }: MovieContext) => {
      requireAdmin(viewer);
      return db.movie.create({ data: parseInput(registerMovieInput, input) });
    },
    createAuditorium: (_: unknown, { input }: { input: unknown }, { viewer, db }: MovieContext) => {
      requireAdmin(viewer);
      return createAuditorium(db, parseInput(createAuditoriumInput, input));
    },
    scheduleScreening: async (_: unknown, { input }: { input: unknown }, { viewer, db, relay }: MovieContext) => {
      requireAdmin(viewer);
      const screening = await scheduleScreening(db, parseInput(scheduleScreeningInput, input));
      void relay.kick();
      return screening;
    },
    createCinema: (_: unknown, { input }: { input: unknown }, { viewer, db }: MovieContext) => {
      requireAdmin(viewer);
      return createCinema(db, parseInput(createCinemaInput, input));
    },
    updateCinema: (_: unknown, { id, input }: { id: unknown; input: unknown }, { viewer, db }: MovieContext) => {
      requireAdmin(viewer);
      return updateCinema(db, parseInput(idSchema, id, "id"), parseInput(updateCinemaInput, input));
    },
    updateAuditoriumLayout: (_: unknown, { id, layout }: { id: unknown; layout: unknown }, { viewer, db }: MovieContext) => {
      requireAdmin(viewer);
      return updateAuditoriumLayout(db, parseInput(idSchema, id, "id"), parseInput(layoutText, layout, "layout"));
    },
    cancelScreening: async (_: unknown, { id, reason }: { id: unknown; reason: unknown }, { viewer, db, relay }: MovieContext) => {
      const staff = requireAdmin(viewer);
      const input = { id: parseInput(idSchema, id, "id"), reason: parseInput(screeningCancelReason, reason, "reason") };
      const screening = await cancelScreening(db, input, staff.id);
      void relay.kick();
      return screening;
    },
  },
  Movie: {
    __resolveReference: ({ id }: { id: string }, { loaders }: MovieContext) => (isId(id) ? loaders.movie.load(id) : null),
    screenings: (movie: Movie, { includePast }: { includePast: boolean }, { loaders }: MovieContext) =>
      loaders.screeningsOf.load({ movieId: movie.id, includePast }),
  },
  Cinema: {
    __resolveReference: ({ id }: { id: string }, { loaders }: MovieContext) => loaders.cinema.load(id),
    auditoriums: (c: Cinema, _: unknown, { loaders }: MovieContext) => loaders.auditoriumsOf.load(c.id),
    screenings: (c: Cinema, { date, movieId }: { date: string; movieId?: string | null }, { loaders }: MovieContext) => {
      const day = parseLocalDate(date);
      if (!day) throw badInput("date", `date: "${String(date).slice(0, 20)}" is not a calendar date written YYYY-MM-DD.`);
      if (movieId != null && !isId(movieId)) return [];
      return loaders.programme.load({ cinemaId: c.id, ...localDayRange(day, c.timeZone), movieId: movieId ?? null });
    },
  },
  Auditorium: {
    cinema: (a: Auditorium, _: unknown, { loaders }: MovieContext) => required(loaders.cinema.load(a.cinemaId), "Cinema", a.cinemaId),
    capacity: (a: Auditorium) => layoutOf(a).capacity,
    seats: (a: Auditorium) => layoutOf(a).seats,
  },
  Screening: {
    __resolveReference: ({ id }: { id: string }, { loaders }: MovieContext) => loaders.screening.load(id),
    movie: (s: Screening, _: unknown, { loaders }: MovieContext) => loaders.movie.load(s.movieId),
    auditorium: (s: Screening, _: unknown, { loaders }: MovieContext) => loaders.auditorium.load(s.auditoriumId),
    cinema: async (s: Screening, _: unknown, { loaders }: MovieContext) => {
      const auditorium = await required(loaders.auditorium.load(s.auditoriumId), "Auditorium", s.auditoriumId);
      return required(loaders.cinema.load(auditorium.cinemaId), "Cinema", auditorium.cinemaId);
    },
    startsAt: (s: Screening) => s.startsAt.toISOString(),
    endsAt: (s: Screening) => s.endsAt.toISOString(),
    onSale: (s: Screening) => s.status === "SCHEDULED" && s.startsAt.getTime() > Date.now(),
    cancelledAt: (s: Screening) => s.cancelledAt?.toISOString() ?? null,
  },
};
