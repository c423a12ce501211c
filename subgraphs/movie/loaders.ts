import DataLoader from "dataloader";
import { isId } from "@cinema/platform/validation";
import type { MovieDb } from "./data.ts";
import type { Auditorium, Cinema, Movie, Screening } from "./generated/prisma/client.ts";
import { programmeKey, programmes, type ProgrammeKey } from "./domain/programme.ts";

/** Per-request batching: a list of screenings costs one query per kind of parent, not one per row. */
export function createLoaders(db: MovieDb) {
  const byId = <T extends { id: string }>(rows: T[], ids: readonly string[]) => {
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  };
  return {
    movie: new DataLoader<string, Movie | null>(async (ids) => byId(await db.movie.findMany({ where: { id: { in: [...ids] } } }), ids)),
    cinema: new DataLoader<string, Cinema | null>(async (ids) =>
      byId(await db.cinema.findMany({ where: { id: { in: [...ids.filter(isId)] } } }), ids),
    ),
    auditorium: new DataLoader<string, Auditorium | null>(async (ids) =>
      byId(await db.auditorium.findMany({ where: { id: { in: [...ids] } } }), ids),
    ),
    /** Each cinema's auditoriums, by name. */
    auditoriumsOf: new DataLoader<string, Auditorium[]>(async (cinemaIds) => {
      const rows = await db.auditorium.findMany({ where: { cinemaId: { in: [...cinemaIds] } }, orderBy: [{ name: "asc" }, { id: "asc" }] });
      return cinemaIds.map((id) => rows.filter((r) => r.cinemaId === id));
    }),
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
    /** Cinemas' programmes of a local day (domain/programme.ts). */
    programme: new DataLoader<ProgrammeKey, Screening[], string>((keys) => programmes(db, keys), { cacheKeyFn: programmeKey }),
  };
}
