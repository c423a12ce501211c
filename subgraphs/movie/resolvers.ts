import DataLoader from "dataloader";
import { requireAdmin } from "@cinema/platform/auth";
import { AppError, ErrorCode } from "@cinema/platform/errors";
import { isUniqueViolation } from "@cinema/platform/db";
import type { OutboxRelay } from "@cinema/platform/outbox";
import type { RequestContext } from "@cinema/platform/server";
import { isId, parseInput } from "@cinema/platform/validation";
import type { MovieDb } from "./data.ts";
import type { Auditorium, Movie, Screening } from "./generated/prisma/client.ts";
import { scheduleScreening } from "./domain/schedule-screening.ts";
import { createAuditoriumInput, registerMovieInput, scheduleScreeningInput } from "./domain/validation.ts";

export interface MovieContext extends RequestContext {
  db: MovieDb;
  relay: OutboxRelay;
  loaders: ReturnType<typeof createLoaders>;
}

/** Per-request batching: a list of screenings costs one query per kind of parent, not one per row. */
export function createLoaders(db: MovieDb) {
  const byId = <T extends { id: string }>(rows: T[], ids: readonly string[]) => {
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  };
  return {
    movie: new DataLoader<string, Movie | null>(async (ids) => byId(await db.movie.findMany({ where: { id: { in: [...ids] } } }), ids)),
    auditorium: new DataLoader<string, Auditorium | null>(async (ids) =>
      byId(await db.auditorium.findMany({ where: { id: { in: [...ids] } } }), ids),
    ),
    screening: new DataLoader<string, Screening | null>(async (ids) =>
      byId(await db.screening.findMany({ where: { id: { in: [...ids.filter(isId)] } } }), ids),
    ),
    /** Screenings of many movies in one query; the key says whether past ones are included. */
    screeningsOf: new DataLoader<{ movieId: string; includePast: boolean }, Screening[], string>(
      async (keys) => {
        const includePast = keys.some((k) => k.includePast);
        const rows = await db.screening.findMany({
          where: { movieId: { in: keys.map((k) => k.movieId) }, ...(includePast ? {} : { startsAt: { gt: new Date() } }) },
          orderBy: { startsAt: "asc" },
        });
        const now = Date.now();
        return keys.map((k) => rows.filter((r) => r.movieId === k.movieId && (k.includePast || r.startsAt.getTime() > now)));
      },
      { cacheKeyFn: (k) => `${k.movieId}:${k.includePast}` },
    ),
  };
}

const capacity = (a: Auditorium) => a.rows * a.seatsPerRow;

export const resolvers = {
  Query: {
    movies: (_: unknown, __: unknown, { db }: MovieContext) => db.movie.findMany({ orderBy: [{ title: "asc" }, { createdAt: "asc" }] }),
    movie: (_: unknown, { id }: { id: string }, { loaders }: MovieContext) => (isId(id) ? loaders.movie.load(id) : null),
    screening: (_: unknown, { id }: { id: string }, { loaders }: MovieContext) => (isId(id) ? loaders.screening.load(id) : null),
    auditoriums: (_: unknown, __: unknown, { db }: MovieContext) => db.auditorium.findMany({ orderBy: { name: "asc" } }),
  },
  Mutation: {
    registerMovie: (_: unknown, { input }: { input: unknown }, { viewer, db }: MovieContext) => {
      requireAdmin(viewer);
      return db.movie.create({ data: parseInput(registerMovieInput, input) });
    },
    createAuditorium: async (_: unknown, { input }: { input: unknown }, { viewer, db }: MovieContext) => {
      requireAdmin(viewer);
      const data = parseInput(createAuditoriumInput, input);
      try {
        return await db.auditorium.create({ data });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError(ErrorCode.BAD_USER_INPUT, `An auditorium named "${data.name}" already exists.`, { field: "input.name" });
        throw err;
      }
    },
    scheduleScreening: async (_: unknown, { input }: { input: unknown }, { viewer, db, relay }: MovieContext) => {
      requireAdmin(viewer);
      const screening = await scheduleScreening(db, parseInput(scheduleScreeningInput, input));
      void relay.kick();
      return screening;
    },
  },
  Movie: {
    __resolveReference: ({ id }: { id: string }, { loaders }: MovieContext) => (isId(id) ? loaders.movie.load(id) : null),
    screenings: (movie: Movie, { includePast }: { includePast: boolean }, { loaders }: MovieContext) =>
      loaders.screeningsOf.load({ movieId: movie.id, includePast }),
  },
  Auditorium: { capacity },
  Screening: {
    __resolveReference: ({ id }: { id: string }, { loaders }: MovieContext) => loaders.screening.load(id),
    movie: (s: Screening, _: unknown, { loaders }: MovieContext) => loaders.movie.load(s.movieId),
    auditorium: (s: Screening, _: unknown, { loaders }: MovieContext) => loaders.auditorium.load(s.auditoriumId),
    startsAt: (s: Screening) => s.startsAt.toISOString(),
    endsAt: (s: Screening) => s.endsAt.toISOString(),
    onSale: (s: Screening) => s.startsAt.getTime() > Date.now(),
  },
};
