// Cinemas, drawn halls and the programme of a cinema's day (issue 15), through the gateway:
// staff open and change cinemas and draw halls; anyone reads the programme of a local day.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./harness.ts";
import { createCinema, layoutScreening } from "./fixtures.ts";

let t: TestStack;
let admin: string;
let customer: string;
beforeAll(async () => {
  t = await startTestStack();
  [admin, customer] = await Promise.all([t.tokenFor("staff", "admin"), t.tokenFor("cinema-fan", "customer")]);
});
afterAll(async () => {
  await t?.cleanup();
});

const CREATE = `mutation ($i: CreateCinemaInput!) { createCinema(input: $i) { id name address timeZone maxSeatsPerBooking } }`;
const UPDATE = `mutation ($id: ID!, $i: UpdateCinemaInput!) { updateCinema(id: $id, input: $i) { id name address timeZone maxSeatsPerBooking } }`;
const HALL = `mutation ($i: CreateAuditoriumInput!) {
  createAuditorium(input: $i) { id name layout rows seatsPerRow capacity cinema { id name } seats { label seatClass gridRow gridColumn pairLabel blocked } }
}`;
const PROGRAMME = `query ($id: ID!, $date: LocalDate!, $movieId: ID) {
  cinema(id: $id) { name screenings(date: $date, movieId: $movieId) { id startsAt movie { id } cinema { id timeZone maxSeatsPerBooking } } }
}`;
const cinemaInput = (over: Record<string, unknown> = {}) => ({ name: `CineMA ${randomUUID().slice(0, 8)}`, address: "1 Test-ro, Seoul", timeZone: "Asia/Seoul", ...over });
/** The calendar day in Seoul `days` from now (YYYY-MM-DD). */
const seoulDay = (days: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(new Date(Date.now() + days * 86_400_000));

describe("cinemas", () => {
  it("lets staff open a cinema and refuses customers, unknown time zones and limits out of 1–20", async () => {
    const input = cinemaInput();
    expect((await t.gql(CREATE, { i: input }, { token: customer })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await t.gql(CREATE, { i: input })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    const zone = await t.gql(CREATE, { i: cinemaInput({ timeZone: "Asia/Atlantis" }) }, { token: admin });
    expect(zone.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.timeZone" });
    expect(zone.errors?.[0]?.message).toMatch(/Asia\/Atlantis.*IANA/);
    for (const max of [0, 21]) {
      const res = await t.gql(CREATE, { i: cinemaInput({ maxSeatsPerBooking: max }) }, { token: admin });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.maxSeatsPerBooking" });
    }
    expect((await t.gql(CREATE, { i: cinemaInput({ name: "  " }) }, { token: admin })).errors?.[0]?.extensions).toMatchObject({ field: "input.name" });

    // The time zone is kept as Intl spells it; the booking limit defaults to 8.
    const made = await t.gql(CREATE, { i: { ...input, timeZone: "asia/seoul" } }, { token: admin });
    expect(made.errors).toBeUndefined();
    expect(made.data.createCinema).toMatchObject({ name: input.name, timeZone: "Asia/Seoul", maxSeatsPerBooking: 8 });
    const again = await t.gql(CREATE, { i: input }, { token: admin });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.name" });

    const { data } = await t.gql(`query ($id: ID!) { cinemas { id name } cinema(id: $id) { name address } }`, { id: made.data.createCinema.id });
    expect(data.cinema).toEqual({ name: input.name, address: input.address });
    const names = data.cinemas.map((c: { name: string }) => c.name);
    expect(names).toContain(input.name);
    expect(names).toContain("CineMA Seoul"); // the migration's default cinema
    expect(names).toEqual([...names].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("changes only the fields given, with the same refusals", async () => {
    const cinema = await createCinema(t, { maxSeatsPerBooking: 6 });
    const other = await createCinema(t);
    const id = cinema.id;
    expect((await t.gql(UPDATE, { id, i: { maxSeatsPerBooking: 4 } }, { token: customer })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const updated = await t.gql(UPDATE, { id, i: { address: "2 Test-ro, Seoul", maxSeatsPerBooking: 20, name: null } }, { token: admin });
    expect(updated.errors).toBeUndefined();
    expect(updated.data.updateCinema).toEqual({ id, name: cinema.name, address: "2 Test-ro, Seoul", timeZone: "Asia/Seoul", maxSeatsPerBooking: 20 });

    const refusals: [Record<string, unknown>, string][] = [
      [{ maxSeatsPerBooking: 21 }, "input.maxSeatsPerBooking"],
      [{ timeZone: "Seoul" }, "input.timeZone"],
      [{ name: other.name }, "input.name"],
    ];
    for (const [i, field] of refusals) {
      expect((await t.gql(UPDATE, { id, i }, { token: admin })).errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    expect((await t.gql(UPDATE, { id: randomUUID(), i: { address: "x" } }, { token: admin })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const { data } = await t.gql(`query ($id: ID!) { cinema(id: $id) { name maxSeatsPerBooking } }`, { id });
    expect(data.cinema).toEqual({ name: cinema.name, maxSeatsPerBooking: 20 });
  });
});

describe("drawn halls", () => {
  it("saves a drawn hall in its cinema, deriving rows and the widest row, and answers its seats", async () => {
    const cinema = await createCinema(t);
    const layout = "..SSSS..\nSS.PP.SS\n\nWw.CC.wW\n";
    const res = await t.gql(HALL, { i: { cinemaId: cinema.id, name: "1관 (Hall 1)", layout } }, { token: admin });
    expect(res.errors).toBeUndefined();
    const hall = res.data.createAuditorium;
    expect(hall).toMatchObject({ layout: layout.trimEnd(), rows: 3, seatsPerRow: 6, capacity: 16, cinema: { id: cinema.id, name: cinema.name } });
    expect(hall.seats[0]).toEqual({ label: "A-1", seatClass: "STANDARD", gridRow: 1, gridColumn: 3, pairLabel: null, blocked: false });
    expect(hall.seats.find((s: { label: string }) => s.label === "C-2")).toMatchObject({ seatClass: "COMPANION", gridRow: 4, pairLabel: "C-1" });
    expect(hall.seats.find((s: { label: string }) => s.label === "C-3")).toMatchObject({ seatClass: "COUPLE", pairLabel: "C-4" });

    // Names are unique per cinema, not across the chain.
    const again = await t.gql(HALL, { i: { cinemaId: cinema.id, name: "1관 (Hall 1)", layout: "S" } }, { token: admin });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.name" });
    const elsewhere = await t.gql(HALL, { i: { cinemaId: (await createCinema(t)).id, name: "1관 (Hall 1)", layout: "S" } }, { token: admin });
    expect(elsewhere.errors).toBeUndefined();
    const { data } = await t.gql(`query ($id: ID!) { cinema(id: $id) { auditoriums { name capacity } } }`, { id: cinema.id });
    expect(data.cinema.auditoriums).toEqual([{ name: "1관 (Hall 1)", capacity: 16 }]);
  });

  it("refuses a layout with every error naming its line, row and column", async () => {
    const layout = ["SSSS", "SSCCC", "", "SwS.?"].join("\n");
    const res = await t.gql(HALL, { i: { name: `Hall ${randomUUID()}`, layout } }, { token: admin });
    const error = res.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.layout" });
    expect(error?.extensions?.layoutErrors).toEqual([
      { line: 2, row: "B", column: 5, message: "Row B (line 2), column 5: a couple seat needs its partner beside it (CC)." },
      { line: 4, row: "C", column: 2, message: "Row C (line 4), column 2: a companion seat (w) must be directly beside a wheelchair space (W)." },
      { line: 4, row: "C", column: 5, message: expect.stringMatching(/^Row C \(line 4\), column 5: "\?" is not a layout mark/) },
    ]);
    expect(error?.message).toBe("input.layout: Row B (line 2), column 5: a couple seat needs its partner beside it (CC). (and 2 more)");
  });

  it("still takes rows × seatsPerRow (a rectangle of standard seats), but not together with a layout", async () => {
    const res = await t.gql(HALL, { i: { name: `Hall ${randomUUID()}`, rows: 2, seatsPerRow: 3 } }, { token: admin });
    expect(res.data.createAuditorium).toMatchObject({ layout: "SSS\nSSS", rows: 2, seatsPerRow: 3, capacity: 6, cinema: { name: "CineMA Seoul" } });
    const both = await t.gql(HALL, { i: { name: `Hall ${randomUUID()}`, rows: 2, seatsPerRow: 3, layout: "SSS" } }, { token: admin });
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.layout" });
    const neither = await t.gql(HALL, { i: { name: `Hall ${randomUUID()}` } }, { token: admin });
    expect(neither.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.layout" });
    const wide = await t.gql(HALL, { i: { name: `Hall ${randomUUID()}`, rows: 2, seatsPerRow: 61 } }, { token: admin });
    expect(wide.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.seatsPerRow" });
    const nowhere = await t.gql(HALL, { i: { name: `Hall ${randomUUID()}`, layout: "S", cinemaId: randomUUID() } }, { token: admin });
    expect(nowhere.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("previews a layout without saving it, to anyone", async () => {
    const PREVIEW = `query ($l: String!) { previewLayout(layout: $l) { gridRows gridColumns capacity seats { label gridColumn seatClass blocked } errors { line row column message } } }`;
    const ok = await t.gql(PREVIEW, { l: "S.X\n\nPP" });
    expect(ok.data.previewLayout).toEqual({
      gridRows: 3,
      gridColumns: 3,
      capacity: 4,
      seats: [
        { label: "A-1", gridColumn: 1, seatClass: "STANDARD", blocked: false },
        { label: "A-2", gridColumn: 3, seatClass: "STANDARD", blocked: true },
        { label: "B-1", gridColumn: 1, seatClass: "PREMIUM", blocked: false },
        { label: "B-2", gridColumn: 2, seatClass: "PREMIUM", blocked: false },
      ],
      errors: [],
    });
    const bad = await t.gql(PREVIEW, { l: "SC\nSS" });
    expect(bad.data.previewLayout.errors).toEqual([
      { line: 1, row: "A", column: 2, message: "Row A (line 1), column 2: a couple seat needs its partner beside it (CC)." },
    ]);
    expect(bad.data.previewLayout.seats).toHaveLength(4); // still drawn, to show where the problem is
    const huge = await t.gql(PREVIEW, { l: "S".repeat(5000) });
    expect(huge.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "layout" });
  });

  it("uses a new layout for screenings scheduled after the change; those scheduled before keep theirs", async () => {
    const cinema = await createCinema(t);
    const before = await layoutScreening(t, { layout: "SSSS", cinemaId: cinema.id, startsAt: `${seoulDay(20)}T14:00:00+09:00` });
    const { data: hall } = await t.gql(`query ($id: ID!) { screening(id: $id) { auditorium { id } } }`, { id: before.id });
    const REDRAW = `mutation ($id: ID!, $l: String!) { updateAuditoriumLayout(id: $id, layout: $l) { layout rows seatsPerRow capacity } }`;
    const vars = { id: hall.screening.auditorium.id, l: "PP.PP\nCC.Ww" };
    expect((await t.gql(REDRAW, vars, { token: customer })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const bad = await t.gql(REDRAW, { ...vars, l: "PC" }, { token: admin });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "layout", layoutErrors: [{ line: 1, row: "A", column: 2 }] });
    const redrawn = await t.gql(REDRAW, vars, { token: admin });
    expect(redrawn.data.updateAuditoriumLayout).toEqual({ layout: "PP.PP\nCC.Ww", rows: 2, seatsPerRow: 4, capacity: 8 });
    expect((await t.gql(REDRAW, { ...vars, id: randomUUID() }, { token: admin })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");

    // A screening scheduled now in the same hall is built from the new drawing.
    const { data: movie } = await t.gql(`query ($id: ID!) { screening(id: $id) { movie { id } } }`, { id: before.id });
    const after = await t.gql(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
      i: { movieId: movie.screening.movie.id, auditoriumId: vars.id, startsAt: `${seoulDay(21)}T14:00:00+09:00`, priceCents: 12000 },
    }, { token: admin });
    expect(after.errors).toBeUndefined();
    const seatsOf = async (id: string) => {
      const res = await t.gql(`query ($id: ID!) { screening(id: $id) { seats { label seatClass } } }`, { id });
      return (res.data?.screening?.seats ?? []).map((s: { label: string; seatClass: string }) => `${s.label}:${s.seatClass}`).sort();
    };
    await expect.poll(() => seatsOf(after.data.scheduleScreening.id), { timeout: 10_000 }).toEqual(
      ["A-1:PREMIUM", "A-2:PREMIUM", "A-3:PREMIUM", "A-4:PREMIUM", "B-1:COUPLE", "B-2:COUPLE", "B-3:WHEELCHAIR", "B-4:COMPANION"],
    );
    expect(await seatsOf(before.id)).toEqual(["A-1:STANDARD", "A-2:STANDARD", "A-3:STANDARD", "A-4:STANDARD"]);
  });
});

describe("the programme of a cinema's day", () => {
  it("answers a local day's screenings by start time: late evening belongs to that day, not to the UTC day", async () => {
    const cinema = await createCinema(t, { maxSeatsPerBooking: 5 });
    const day = seoulDay(30);
    const next = seoulDay(31);
    const show = (startsAt: string) => layoutScreening(t, { layout: "SS", cinemaId: cinema.id, startsAt, runtimeMinutes: 30 });
    // 08:30 in Seoul is the previous UTC day; 23:30 and the next day's 00:30 are the same UTC day.
    const morning = await show(`${day}T08:30:00+09:00`);
    const late = await show(`${day}T23:30:00+09:00`);
    const afterMidnight = await show(`${next}T00:30:00+09:00`);
    const evening = await show(`${day}T19:00:00+09:00`);

    const ids = async (date: string, movieId?: string) => {
      const res = await t.gql(PROGRAMME, { id: cinema.id, date, movieId });
      expect(res.errors).toBeUndefined();
      return res.data.cinema.screenings.map((s: { id: string }) => s.id);
    };
    expect(await ids(day)).toEqual([morning.id, evening.id, late.id]);
    expect(await ids(next)).toEqual([afterMidnight.id]);
    expect(await ids(day, late.movieId)).toEqual([late.id]);
    expect(await ids(day, afterMidnight.movieId)).toEqual([]);

    // What the saga reads of a screening's cinema.
    const { data } = await t.gql(PROGRAMME, { id: cinema.id, date: next });
    expect(data.cinema.screenings[0].cinema).toEqual({ id: cinema.id, timeZone: "Asia/Seoul", maxSeatsPerBooking: 5 });
  });

  it("uses the cinema's own time zone", async () => {
    const cinema = await createCinema(t, { timeZone: "Pacific/Honolulu" }); // UTC−10, no daylight saving
    const day = seoulDay(40);
    // 23:00 in Honolulu is the next day in UTC (and in Seoul).
    const late = await layoutScreening(t, { layout: "S", cinemaId: cinema.id, startsAt: `${day}T23:00:00-10:00` });
    const res = await t.gql(PROGRAMME, { id: cinema.id, date: day });
    expect(res.data.cinema.screenings.map((s: { id: string }) => s.id)).toEqual([late.id]);
  });

  it("refuses a date that is not a real YYYY-MM-DD day", async () => {
    const cinema = await createCinema(t);
    for (const date of ["2026-02-30", "2026-1-5", "tomorrow"]) {
      const res = await t.gql(PROGRAMME, { id: cinema.id, date });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT" });
      expect(res.errors?.[0]?.message).toMatch(/YYYY-MM-DD/);
    }
  });
});
