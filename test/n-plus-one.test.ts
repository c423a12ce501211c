// No N+1: a list costs the same number of SQL statements whatever its length. Counted by each
// subgraph itself (db_queries_total, labelled by the GraphQL operation that caused them), for
// the lists the API has: my page with each booking's history, a movie's screenings with each
// one's seat map and free-seat count (movie → seat entities), and the chain's cinemas with their
// halls and a day's programme.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SubgraphName } from "../scripts/lib/subgraphs.ts";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { availableSeats, bookableScreening, createCinema, inDays, layoutScreening, reserve } from "./fixtures.ts";

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

/** Statements `subgraph` has run for operations whose name starts with `operation` (the gateway names its fetches `<operation>__<subgraph>__<n>`). */
async function statements(subgraph: SubgraphName, operation: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${t.stack.ports[subgraph]}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^db_queries_total\{([^}]*)\} (\d+)/.exec(line);
    const label = match && /operation="([^"]*)"/.exec(match[1]!)?.[1];
    if (label?.startsWith(operation)) total += Number(match![2]);
  }
  return total;
}

/** Runs `query` once under a fresh operation name; the statements each subgraph ran for it. */
async function measure(query: (name: string) => string, variables: Record<string, unknown>, token: string | undefined, subgraphs: SubgraphName[]) {
  const name = `Probe_${randomUUID().replaceAll("-", "")}`;
  const res = await t.gql(query(name), variables, { token });
  expect(res.errors).toBeUndefined();
  return { data: res.data, counts: Object.fromEntries(await Promise.all(subgraphs.map(async (s) => [s, await statements(s, name)] as const))) };
}

describe("statements per list, whatever its length", () => {
  it("my page: a page of bookings with their histories and seat lines costs the same for 1 booking as for 6", async () => {
    const screening = await bookableScreening(t, { rows: 1, seatsPerRow: 10 });
    const few = `n1-few-${randomUUID()}`;
    const many = `n1-many-${randomUUID()}`;
    expect((await reserve(t, few, { screeningId: screening.id, seats: ["A-1"] })).errors).toBeUndefined();
    for (let i = 2; i <= 7; i++) expect((await reserve(t, many, { screeningId: screening.id, seats: [`A-${i}`] })).errors).toBeUndefined();

    const page = (name: string) =>
      `query ${name} { myReservations(first: 20) { nodes { id movieTitle ticketStatus history { kind description } lines { seat ticketType priceCents } } } }`;
    const tokens = { few: await t.tokenFor(few), many: await t.tokenFor(many) };
    // The read model follows the events: wait until every booking and its ticket is there.
    for (const [who, n] of [["few", 1], ["many", 6]] as const) {
      await waitFor(async () => {
        const res = await t.gql(`{ myReservations(first: 20) { nodes { ticketStatus } } }`, {}, { token: tokens[who] });
        const nodes = res.data?.myReservations.nodes ?? [];
        return nodes.length === n && nodes.every((x: { ticketStatus: string | null }) => x.ticketStatus === "ISSUED");
      });
    }

    const one = await measure(page, {}, tokens.few, ["mypage"]);
    const six = await measure(page, {}, tokens.many, ["mypage"]);
    expect(one.data.myReservations.nodes).toHaveLength(1);
    expect(six.data.myReservations.nodes).toHaveLength(6);
    expect(six.data.myReservations.nodes.every((n: { history: unknown[] }) => n.history.length >= 2)).toBe(true); // CONFIRMED, TICKET_ISSUED
    expect(one.counts.mypage).toBeGreaterThan(0); // the counter counts
    expect(six.counts.mypage).toBe(one.counts.mypage);
    expect(six.data.myReservations.nodes.every((n: { lines: unknown[] }) => n.lines.length === 1)).toBe(true);
    expect(six.counts.mypage).toBeLessThanOrEqual(3); // the page, then every history and every booking's lines at once
  });

  it("a movie's screenings with seat maps and free seats: the same statements for 1 screening as for 4", async () => {
    const admin = await t.tokenFor("staff", "admin");
    const movieWith = async (screenings: number) => {
      const movie = await t.gql(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, {
        i: { title: `N+1 ${randomUUID().slice(0, 8)}`, summary: "For the N+1 test", runtimeMinutes: 90, rating: "ALL" },
      }, { token: admin });
      const hall = await t.gql(`mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id } }`, {
        i: { name: `Hall ${randomUUID()}`, rows: 2, seatsPerRow: 5 },
      }, { token: admin });
      for (let d = 0; d < screenings; d++) {
        const res = await t.gql(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
          i: { movieId: movie.data.registerMovie.id, auditoriumId: hall.data.createAuditorium.id, startsAt: inDays(40 + d), priceCents: 9000 },
        }, { token: admin });
        expect(res.errors).toBeUndefined();
        await waitFor(async () => (await availableSeats(t, res.data.scheduleScreening.id)) === 10);
      }
      return movie.data.registerMovie.id as string;
    };
    const [oneScreening, fourScreenings] = [await movieWith(1), await movieWith(4)];

    const query = (name: string) =>
      `query ${name}($id: ID!) { movie(id: $id) { title screenings { id startsAt availableSeatCount seats { label status } } } }`;
    const one = await measure(query, { id: oneScreening }, undefined, ["movie", "seat"]);
    const four = await measure(query, { id: fourScreenings }, undefined, ["movie", "seat"]);
    expect(one.data.movie.screenings).toHaveLength(1);
    expect(four.data.movie.screenings).toHaveLength(4);
    expect(four.data.movie.screenings.every((s: { seats: unknown[]; availableSeatCount: number }) => s.seats.length === 10 && s.availableSeatCount === 10)).toBe(true);
    expect(one.counts.seat).toBeGreaterThan(0);
    expect(four.counts).toEqual(one.counts);
  });

  it("the cinemas with their halls and a day's programme: the same statements for 2 cinemas as for 4 with more screenings", async () => {
    // A Seoul day far enough ahead that no other test schedules on it.
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(new Date(Date.now() + 60 * 86_400_000));
    const show = (cinemaId: string, time: string) =>
      layoutScreening(t, { layout: "SS.PP\nCC.Ww", cinemaId, startsAt: `${day}T${time}:00+09:00`, runtimeMinutes: 60 });
    const query = (name: string) =>
      `query ${name}($date: LocalDate!) { cinemas { name auditoriums { name capacity seats { label } } screenings(date: $date) { startsAt movie { title } auditorium { name } cinema { timeZone } availableSeatCount } } }`;
    const programmeLength = (data: { cinemas: { screenings: unknown[] }[] }) => data.cinemas.reduce((n, c) => n + c.screenings.length, 0);

    const first = await createCinema(t);
    await show(first.id, "10:00");
    const few = await measure(query, { date: day }, undefined, ["movie", "seat"]);
    const fewCinemas = few.data.cinemas.length;
    expect(programmeLength(few.data)).toBe(1);

    for (const cinema of [await createCinema(t), await createCinema(t)]) {
      for (const time of ["10:00", "14:00", "21:30"]) await show(cinema.id, time);
    }
    const many = await measure(query, { date: day }, undefined, ["movie", "seat"]);
    expect(many.data.cinemas).toHaveLength(fewCinemas + 2);
    expect(programmeLength(many.data)).toBe(7);
    expect(many.counts.movie).toBeGreaterThan(0);
    expect(many.counts).toEqual(few.counts);
  });

  it("counts statements outside requests as background, not under an operation", async () => {
    const text = await (await fetch(`http://127.0.0.1:${t.stack.ports.mypage}/metrics`)).text();
    // The consumers that built the read model above ran outside any request.
    expect(text).toMatch(/^db_queries_total\{[^}]*operation="background"[^}]*\} [1-9]\d*$/m);
  });
});
