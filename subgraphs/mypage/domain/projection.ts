import type { EventEnvelope } from "@cinema/platform/events";
import type { MypageTx } from "../data.ts";

/** Keeps the screening facts my page shows, so it never has to ask the movie subgraph. */
export async function projectScreening(tx: MypageTx, e: EventEnvelope<"movie.screening-scheduled">) {
  const { screeningId, movieId, movieTitle, auditoriumName, startsAt } = e.data;
  const info = { movieId, movieTitle, auditoriumName, startsAt: new Date(startsAt) };
  await tx.screeningInfo.upsert({ where: { screeningId }, create: { screeningId, ...info }, update: info });
  // Bookings that arrived before their screening's event get the facts now.
  await tx.myReservation.updateMany({
    where: { screeningId },
    data: { movieTitle, auditoriumName, screeningStartsAt: new Date(startsAt) },
  });
}

/** A confirmed booking appears on my page; an older event arriving late never overwrites a newer one. */
export async function projectConfirmed(tx: MypageTx, e: EventEnvelope<"reservation.confirmed">) {
  const d = e.data;
  const screening = await tx.screeningInfo.findUnique({ where: { screeningId: d.screeningId } });
  const row = {
    customerId: d.customerId,
    screeningId: d.screeningId,
    movieTitle: screening?.movieTitle ?? null,
    auditoriumName: screening?.auditoriumName ?? null,
    screeningStartsAt: screening?.startsAt ?? null,
    seats: d.seats,
    amountCents: d.amountCents,
    currency: d.currency,
    reservationStatus: "CONFIRMED",
    paymentStatus: "CAPTURED",
    version: e.aggregateVersion,
    updatedAt: new Date(e.occurredAt),
  };
  await tx.myReservation.createMany({ data: [{ reservationId: d.reservationId, bookedAt: new Date(e.occurredAt), ...row }], skipDuplicates: true });
  await tx.myReservation.updateMany({ where: { reservationId: d.reservationId, version: { lt: e.aggregateVersion } }, data: row });
}
