import type { MovieDb } from "../data.ts";
import type { Screening } from "../generated/prisma/client.ts";

/** One cinema's programme of one local day, as the UTC range of that day in its time zone. */
export interface ProgrammeKey {
  cinemaId: string;
  from: Date;
  to: Date;
  movieId: string | null;
}

/**
 * Many cinemas' programmes in one query: the union of their ranges, then each key's own rows
 * (cinemas in different time zones ask for different ranges of the same date).
 */
export async function programmes(db: MovieDb, keys: readonly ProgrammeKey[]): Promise<Screening[][]> {
  const from = new Date(Math.min(...keys.map((k) => k.from.getTime())));
  const to = new Date(Math.max(...keys.map((k) => k.to.getTime())));
  const movieIds = keys.every((k) => k.movieId) ? [...new Set(keys.map((k) => k.movieId!))] : null;
  const rows = await db.screening.findMany({
    where: {
      auditorium: { cinemaId: { in: [...new Set(keys.map((k) => k.cinemaId))] } },
      startsAt: { gte: from, lt: to },
      ...(movieIds && { movieId: { in: movieIds } }),
    },
    include: { auditorium: { select: { cinemaId: true } } },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });
  return keys.map((k) =>
    rows
      .filter((r) => r.auditorium.cinemaId === k.cinemaId && r.startsAt >= k.from && r.startsAt < k.to && (!k.movieId || r.movieId === k.movieId))
      .map(({ auditorium: _, ...screening }) => screening),
  );
}

export const programmeKey = (k: ProgrammeKey) => `${k.cinemaId}:${k.from.toISOString()}:${k.to.toISOString()}:${k.movieId ?? ""}`;
