import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { waitFor, type TestStack } from "./harness.ts";

/** A future start time, `days` from now, on a whole minute. */
export const inDays = (days: number) => new Date(Math.floor((Date.now() + days * 86_400_000) / 60_000) * 60_000).toISOString();

let unique = 0;
/**
 * Staff set up a bookable screening through the gateway: a movie, an auditorium of rows × seatsPerRow,
 * a screening; resolves once the seat map exists (it is built from the screening-scheduled event).
 */
export async function bookableScreening(t: TestStack, opts: { rows?: number; seatsPerRow?: number; priceCents?: number; startsAt?: string } = {}) {
  const admin = await t.tokenFor("staff", "admin");
  const rows = opts.rows ?? 5;
  const seatsPerRow = opts.seatsPerRow ?? 10;
  const movie = await t.gql(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, {
    i: { title: `Test movie ${++unique}`, summary: "For tests", runtimeMinutes: 100, rating: "ALL" },
  }, { token: admin });
  const hall = await t.gql(`mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id } }`, {
    i: { name: `Hall ${randomUUID()}`, rows, seatsPerRow },
  }, { token: admin });
  const screening = await t.gql(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id priceCents } }`, {
    i: { movieId: movie.data.registerMovie.id, auditoriumId: hall.data.createAuditorium.id, startsAt: opts.startsAt ?? inDays(3 + unique), priceCents: opts.priceCents ?? 12000 },
  }, { token: admin });
  expect(screening.errors).toBeUndefined();
  const id: string = screening.data.scheduleScreening.id;
  await waitFor(async () => (await availableSeats(t, id)) === rows * seatsPerRow, { timeoutMs: 10_000 });
  return { id, movieId: movie.data.registerMovie.id as string, priceCents: opts.priceCents ?? 12000, capacity: rows * seatsPerRow };
}

export async function availableSeats(t: TestStack, screeningId: string): Promise<number> {
  const res = await t.gql(`query ($id: ID!) { screening(id: $id) { availableSeatCount } }`, { id: screeningId });
  return res.data?.screening?.availableSeatCount ?? -1;
}

export async function seatStatuses(t: TestStack, screeningId: string): Promise<Record<string, string>> {
  const res = await t.gql(`query ($id: ID!) { screening(id: $id) { seats { label status } } }`, { id: screeningId });
  return Object.fromEntries(res.data.screening.seats.map((s: { label: string; status: string }) => [s.label, s.status]));
}

export const RESERVE = `mutation ($i: ReserveInput!) {
  reserve(input: $i) { id status seats amountCents currency payment { status amountCents } }
}`;

export async function reserve(t: TestStack, customer: string, input: { screeningId: string; seats: string[]; paymentToken?: string; idempotencyKey?: string }) {
  return t.gql(RESERVE, { i: { paymentToken: "tok_visa", idempotencyKey: randomUUID(), ...input } }, { token: await t.tokenFor(customer, "customer") });
}
