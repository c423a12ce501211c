import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { waitFor, type TestStack } from "./harness.ts";
import { parseLayout } from "../subgraphs/movie/domain/layout.ts";

/** A future start time, `days` from now, on a whole minute. */
export const inDays = (days: number) => new Date(Math.floor((Date.now() + days * 86_400_000) / 60_000) * 60_000).toISOString();

const SEOUL_OFFSET_MS = 9 * 3_600_000; // Asia/Seoul has no DST
/**
 * A start `days` from now on a weekday afternoon in Seoul (14:00 plus `minute` minutes, under 6 h),
 * when no default time rule (morning discount, weekend surcharge) changes the price: a test's
 * amounts are then the base price whatever the hour it runs at.
 */
export function plainStartsAt(days: number, minute = 0): string {
  const local = new Date(Date.now() + SEOUL_OFFSET_MS + days * 86_400_000);
  local.setUTCHours(14, minute % 360, 0, 0);
  while (local.getUTCDay() === 0 || local.getUTCDay() === 6) local.setUTCDate(local.getUTCDate() + 1);
  return new Date(local.getTime() - SEOUL_OFFSET_MS).toISOString();
}

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
    i: { movieId: movie.data.registerMovie.id, auditoriumId: hall.data.createAuditorium.id, startsAt: opts.startsAt ?? plainStartsAt(3 + unique, unique), priceCents: opts.priceCents ?? 12000 },
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

const ADMIN_CINEMA = `mutation ($i: CreateCinemaInput!) { createCinema(input: $i) { id name timeZone maxSeatsPerBooking } }`;
/** Staff open a cinema (a unique name unless given; Asia/Seoul unless given). */
export async function createCinema(t: TestStack, opts: { name?: string; address?: string; timeZone?: string; maxSeatsPerBooking?: number } = {}) {
  const res = await t.gql(ADMIN_CINEMA, {
    i: { name: opts.name ?? `Cinema ${randomUUID()}`, address: opts.address ?? "Seoul", timeZone: opts.timeZone ?? "Asia/Seoul", maxSeatsPerBooking: opts.maxSeatsPerBooking ?? 8 },
  }, { token: await t.tokenFor("staff", "admin") });
  expect(res.errors).toBeUndefined();
  return res.data.createCinema as { id: string; name: string; timeZone: string; maxSeatsPerBooking: number };
}

/**
 * Staff set up a screening in a hall drawn by `layout` (in `cinemaId`, else the first cinema);
 * resolves once the seat map exists: every seat not blocked (X) is on sale.
 */
export async function layoutScreening(t: TestStack, opts: { layout: string; priceCents?: number; startsAt?: string; cinemaId?: string; runtimeMinutes?: number }) {
  const admin = await t.tokenFor("staff", "admin");
  const movie = await t.gql(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, {
    i: { title: `Test movie ${++unique}`, summary: "For tests", runtimeMinutes: opts.runtimeMinutes ?? 100, rating: "ALL" },
  }, { token: admin });
  const hall = await t.gql(`mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id } }`, {
    i: { name: `Hall ${randomUUID()}`, layout: opts.layout, ...(opts.cinemaId && { cinemaId: opts.cinemaId }) },
  }, { token: admin });
  expect(hall.errors).toBeUndefined();
  const priceCents = opts.priceCents ?? 12000;
  const screening = await t.gql(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
    i: { movieId: movie.data.registerMovie.id, auditoriumId: hall.data.createAuditorium.id, startsAt: opts.startsAt ?? plainStartsAt(3 + unique, unique), priceCents },
  }, { token: admin });
  expect(screening.errors).toBeUndefined();
  const id: string = screening.data.scheduleScreening.id;
  const { seats } = parseLayout(opts.layout);
  const forSale = seats.filter((s) => !s.blocked).length;
  await waitFor(async () => (await availableSeats(t, id)) === forSale, { timeoutMs: 10_000 });
  return { id, movieId: movie.data.registerMovie.id as string, auditoriumId: hall.data.createAuditorium.id as string, priceCents, capacity: seats.length, forSale, seats };
}
