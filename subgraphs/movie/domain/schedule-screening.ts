import { badInput, notFound } from "@cinema/platform/errors";
import { createEvent } from "@cinema/platform/events";
import { enqueueEvents } from "@cinema/platform/outbox";
import type { MovieDb } from "../data.ts";
import { parseLayout } from "./layout.ts";
import { CURRENCY, turnaroundMinutes } from "./validation.ts";

/**
 * Schedules a screening and announces it (the seat subgraph builds the seat map from the event).
 * The auditorium row is locked so two staff scheduling into the same slot cannot both succeed (and
 * so a layout edit waits: the event carries the layout of the moment).
 */
export async function scheduleScreening(db: MovieDb, input: { movieId: string; auditoriumId: string; startsAt: Date; priceCents: number }) {
  return db.$transaction(async (tx) => {
    const movie = await tx.movie.findUnique({ where: { id: input.movieId } });
    if (!movie) throw notFound("Movie", input.movieId);
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM auditorium WHERE id = ${input.auditoriumId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw notFound("Auditorium", input.auditoriumId);
    const auditorium = (await tx.auditorium.findUnique({ where: { id: input.auditoriumId }, include: { cinema: true } }))!;
    const endsAt = new Date(input.startsAt.getTime() + (movie.runtimeMinutes + turnaroundMinutes()) * 60_000);
    const clash = await tx.screening.findFirst({
      where: { auditoriumId: auditorium.id, startsAt: { lt: endsAt }, endsAt: { gt: input.startsAt } },
      include: { movie: true },
    });
    if (clash) {
      throw badInput(
        "input.startsAt",
        `${auditorium.name} is taken by "${clash.movie.title}" from ${clash.startsAt.toISOString()} to ${clash.endsAt.toISOString()}.`,
      );
    }
    const screening = await tx.screening.create({
      data: { movieId: movie.id, auditoriumId: auditorium.id, startsAt: input.startsAt, endsAt, priceCents: input.priceCents, currency: CURRENCY },
    });
    await enqueueEvents(
      tx,
      createEvent("movie.screening-scheduled", screening.id, {
        screeningId: screening.id,
        movieId: movie.id,
        movieTitle: movie.title,
        auditoriumId: auditorium.id,
        auditoriumName: auditorium.name,
        startsAt: screening.startsAt.toISOString(),
        priceCents: screening.priceCents,
        currency: screening.currency,
        rows: auditorium.rows,
        seatsPerRow: auditorium.seatsPerRow,
        cinemaId: auditorium.cinema.id,
        cinemaName: auditorium.cinema.name,
        timeZone: auditorium.cinema.timeZone,
        // The layout as it is now: a later edit of the hall leaves this screening's seats as they are.
        seats: parseLayout(auditorium.layout).seats,
      }),
    );
    return screening;
  });
}
