import { badInput, notFound } from "@cinema/platform/errors";
import { createEvent } from "@cinema/platform/events";
import { enqueueEvents } from "@cinema/platform/outbox";
import type { MovieDb } from "../data.ts";

/**
 * Staff call a screening off (a projector broke): it goes off sale and `movie.screening-cancelled`
 * is written in the same transaction; seat closes its seats and reservation cancels and refunds
 * every booking from that event. Calling it again answers the screening as it is, writing nothing
 * (the event already carries the work, and its consumers finish it after any crash).
 */
export async function cancelScreening(db: MovieDb, input: { id: string; reason: string }, cancelledBy: string) {
  return db.$transaction(async (tx) => {
    // Locks the row: of two staff cancelling at once, the second sees CANCELLED.
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM screening WHERE id = ${input.id}::uuid FOR UPDATE`;
    const screening = locked && (await tx.screening.findUnique({ where: { id: input.id }, include: { movie: true, auditorium: { include: { cinema: true } } } }));
    if (!screening) throw notFound("Screening", input.id);
    if (screening.status === "CANCELLED") return screening;
    if (screening.endsAt.getTime() <= Date.now()) throw badInput("id", "This screening has already ended, so it cannot be cancelled; cancel its bookings one by one instead.");
    const cancelled = await tx.screening.update({
      where: { id: screening.id },
      data: { status: "CANCELLED", cancelledAt: new Date(), cancelReason: input.reason },
    });
    const { cinema } = screening.auditorium;
    await enqueueEvents(
      tx,
      createEvent("movie.screening-cancelled", screening.id, {
        screeningId: screening.id,
        reason: input.reason,
        cancelledBy,
        startsAt: screening.startsAt.toISOString(),
        movieTitle: screening.movie.title,
        cinemaName: cinema.name,
        timeZone: cinema.timeZone,
      }),
    );
    return cancelled;
  });
}
