// Prices through the gateway: staff set a cinema's rules, anyone reads them and quotes a screening's
// seats; the quote is the pure pricing's answer. And capturePayment as the saga calls it: prices
// with the rules, refuses a changed price before charging, and a repeat keeps the first breakdown.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { internalIdentityHeaders } from "@cinema/platform/auth";
import { startTestStack, type TestStack } from "./harness.ts";
import { priceBooking } from "../subgraphs/payment/domain/pricing.ts";
import { DEFAULT_RULES, USUAL_TIME_RULES, SEAT_CLASSES, TICKET_TYPES, type PriceRules } from "../subgraphs/payment/domain/price-rules.ts";

/** The defaults with the usual morning and weekend rules (which a cinema has once it saves them). */
const RULES: PriceRules = { ...DEFAULT_RULES, timeRules: USUAL_TIME_RULES };

let t: TestStack;
let admin: string;
beforeAll(async () => {
  t = await startTestStack();
  admin = await t.tokenFor("staff", "admin");
});
afterAll(async () => {
  await t?.cleanup();
});

const RULES_FIELDS = `cinemaId currency seatClasses { seatClass surchargeCents } ticketTypes { ticketType discountCents } timeRules { label days from until amountCents } updatedAt`;
const SET_RULES = `mutation ($i: PriceRulesInput!) { setPriceRules(input: $i) { ${RULES_FIELDS} } }`;
const BREAKDOWN = `currency totalCents lines { seat seatClass ticketType priceCents items { kind label amountCents } }`;
const QUOTE = `query ($id: ID!, $t: [QuoteTicketInput!]!) { screening(id: $id) { startsAt priceQuote(tickets: $t) { ${BREAKDOWN} } } }`;

async function ok<T = any>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await t.gql<T>(query, variables, { token });
  expect(res.errors).toBeUndefined();
  return res.data!;
}

let unique = 0;
/** Saves `rules` as a cinema's own, through the API as staff do. */
const saveRules = (cinemaId: string, rules: PriceRules) =>
  ok(SET_RULES, {
    i: {
      cinemaId,
      seatClasses: SEAT_CLASSES.map((seatClass) => ({ seatClass, surchargeCents: rules.seatClasses[seatClass] })),
      ticketTypes: TICKET_TYPES.map((ticketType) => ({ ticketType, discountCents: rules.ticketTypes[ticketType] })),
      timeRules: rules.timeRules,
    },
  }, admin);

/** A cinema with `rules` saved (by default the usual ones, morning and weekend included; null: none saved). */
async function createCinema(timeZone = "Asia/Seoul", rules: PriceRules | null = RULES) {
  const data = await ok(`mutation ($i: CreateCinemaInput!) { createCinema(input: $i) { id } }`, { i: { name: `Pricing ${++unique} ${randomUUID()}`, address: "Seoul", timeZone } }, admin);
  const cinemaId = data.createCinema.id as string;
  if (rules) await saveRules(cinemaId, rules);
  return cinemaId;
}

/** A future start at `hhmm` on the cinema's wall clock, on a day (local) that `day` accepts. */
function localStart(timeZone: string, hhmm: string, day: (weekday: string) => boolean): string {
  for (let d = 2; d < 12; d++) {
    const at = new Date(Date.now() + d * 86_400_000);
    const weekday = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short" }).format(at).toUpperCase();
    if (!day(weekday)) continue;
    const date = new Intl.DateTimeFormat("en-CA", { timeZone }).format(at); // YYYY-MM-DD
    // The zone's offset at that moment (no DST change falls on these test zones' chosen hours).
    const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName")!.value;
    const offset = name === "GMT" ? "+00:00" : name.slice(3);
    return new Date(`${date}T${hhmm}:00${offset}`).toISOString();
  }
  throw new Error("no such day ahead");
}

/** A screening in a cinema (no seat map needed for a quote). */
async function screeningIn(cinemaId: string, startsAt: string, priceCents = 12000) {
  const movie = await ok(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, { i: { title: `Priced ${++unique}`, summary: "For tests", runtimeMinutes: 100, rating: "ALL" } }, admin);
  const hall = await ok(`mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id } }`, { i: { cinemaId, name: `Hall ${randomUUID()}`, layout: "SSPP\nCCWw" } }, admin);
  const s = await ok(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id startsAt } }`, {
    i: { movieId: movie.registerMovie.id, auditoriumId: hall.createAuditorium.id, startsAt, priceCents },
  }, admin);
  return s.scheduleScreening.id as string;
}

/** Every class × every ticket type: 20 tickets, the most one quote takes. */
const ALL_TICKETS = SEAT_CLASSES.flatMap((seatClass, c) => TICKET_TYPES.map((ticketType, k) => ({ seat: `${"ABCDE"[c]}-${k + 1}`, seatClass, ticketType })));

const expected = (startsAt: string, rules: PriceRules, timeZone = "Asia/Seoul", basePriceCents = 12000, lines = ALL_TICKETS) =>
  priceBooking({ currency: "KRW", timeZone, startsAt: new Date(startsAt), basePriceCents, lines }, rules);

const WEEKEND = (d: string) => d === "SAT" || d === "SUN";
const WEEKDAY = (d: string) => !WEEKEND(d);

describe("price rules", () => {
  it("a cinema without rules of its own answers the defaults, to anyone", async () => {
    const cinemaId = await createCinema("Asia/Seoul", null);
    const data = await ok(`query ($id: ID!) { cinema(id: $id) { id priceRules { ${RULES_FIELDS} } } }`, { id: cinemaId });
    expect(data.cinema.priceRules).toEqual({
      cinemaId,
      currency: "KRW",
      seatClasses: [
        { seatClass: "STANDARD", surchargeCents: 0 },
        { seatClass: "PREMIUM", surchargeCents: 3000 },
        { seatClass: "COUPLE", surchargeCents: 4000 },
        { seatClass: "WHEELCHAIR", surchargeCents: 0 },
        { seatClass: "COMPANION", surchargeCents: 0 },
      ],
      ticketTypes: [
        { ticketType: "ADULT", discountCents: 0 },
        { ticketType: "YOUTH", discountCents: 3000 },
        { ticketType: "SENIOR", discountCents: 5000 },
        { ticketType: "DISABLED", discountCents: 6000 },
      ],
      // Time rules are each cinema's own choice: none until staff save some.
      timeRules: [],
      updatedAt: null,
    });
  });

  it("only staff set them: customers are refused, anonymous callers asked to sign in", async () => {
    const i = { cinemaId: await createCinema("Asia/Seoul", null), seatClasses: [], ticketTypes: [], timeRules: [] };
    const customer = await t.gql(SET_RULES, { i }, { token: await t.tokenFor("alice", "customer") });
    expect(customer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anonymous = await t.gql(SET_RULES, { i });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses invalid rules with BAD_USER_INPUT naming the field, and saves nothing", async () => {
    const cinemaId = await createCinema("Asia/Seoul", null);
    const base = { cinemaId, seatClasses: [], ticketTypes: [], timeRules: [] };
    const rule = { label: "Late", days: ["FRI"], from: "22:00", until: "24:00", amountCents: -1000 };
    const cases: [Record<string, unknown>, string][] = [
      [{ cinemaId: "not-an-id" }, "input.cinemaId"],
      [{ currency: "won" }, "input.currency"],
      [{ seatClasses: [{ seatClass: "PREMIUM", surchargeCents: 1_000_001 }] }, "input.seatClasses.0.surchargeCents"],
      [{ seatClasses: [{ seatClass: "PREMIUM", surchargeCents: 1000 }, { seatClass: "PREMIUM", surchargeCents: 2000 }] }, "input.seatClasses.1"],
      [{ ticketTypes: [{ ticketType: "YOUTH", discountCents: -1 }] }, "input.ticketTypes.0.discountCents"],
      [{ ticketTypes: [{ ticketType: "SENIOR", discountCents: 1 }, { ticketType: "SENIOR", discountCents: 2 }] }, "input.ticketTypes.1"],
      [{ timeRules: [{ ...rule, from: "9:30" }] }, "input.timeRules.0.from"],
      [{ timeRules: [{ ...rule, until: "24:01" }] }, "input.timeRules.0.until"],
      [{ timeRules: [rule, { ...rule, from: "10:00", until: "10:00" }] }, "input.timeRules.1.until"],
      [{ timeRules: [{ ...rule, days: [] }] }, "input.timeRules.0.days"],
      [{ timeRules: [{ ...rule, days: ["SAT", "SAT"] }] }, "input.timeRules.0.days.1"],
      [{ timeRules: [{ ...rule, label: "  " }] }, "input.timeRules.0.label"],
      [{ timeRules: [{ ...rule, amountCents: -1_000_001 }] }, "input.timeRules.0.amountCents"],
    ];
    for (const [change, field] of cases) {
      const res = await t.gql(SET_RULES, { i: { ...base, ...change } }, { token: admin });
      expect(res.errors?.[0]?.extensions, field).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(res.errors?.[0]?.message).toContain(field);
    }
    expect(await t.sql("payment", `SELECT 1 FROM price_rules WHERE cinema_id = $1`, [cinemaId])).toEqual([]);
  });

  it("saves them whole: classes and types left out mean 0; the cinema's rules answer the new ones", async () => {
    const cinemaId = await createCinema("Asia/Seoul", null);
    const saved = await ok(SET_RULES, {
      i: {
        cinemaId,
        seatClasses: [{ seatClass: "PREMIUM", surchargeCents: 5000 }, { seatClass: "STANDARD", surchargeCents: -500 }],
        ticketTypes: [{ ticketType: "YOUTH", discountCents: 2000 }],
        timeRules: [{ label: "Late night", days: ["FRI", "SAT"], from: "22:00", until: "24:00", amountCents: -2000 }],
      },
    }, admin);
    expect(saved.setPriceRules).toMatchObject({
      cinemaId,
      currency: "KRW",
      seatClasses: [
        { seatClass: "STANDARD", surchargeCents: -500 },
        { seatClass: "PREMIUM", surchargeCents: 5000 },
        { seatClass: "COUPLE", surchargeCents: 0 },
        { seatClass: "WHEELCHAIR", surchargeCents: 0 },
        { seatClass: "COMPANION", surchargeCents: 0 },
      ],
      ticketTypes: [
        { ticketType: "ADULT", discountCents: 0 },
        { ticketType: "YOUTH", discountCents: 2000 },
        { ticketType: "SENIOR", discountCents: 0 },
        { ticketType: "DISABLED", discountCents: 0 },
      ],
      timeRules: [{ label: "Late night", days: ["FRI", "SAT"], from: "22:00", until: "24:00", amountCents: -2000 }],
    });
    expect(Date.parse(saved.setPriceRules.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
    const read = await ok(`query ($id: ID!) { cinema(id: $id) { priceRules { ${RULES_FIELDS} } } }`, { id: cinemaId });
    expect(read.cinema.priceRules).toEqual(saved.setPriceRules);
    // Saving again replaces them whole and counts the version.
    await ok(SET_RULES, { i: { cinemaId, seatClasses: [], ticketTypes: [], timeRules: [] } }, admin);
    expect(await t.sql("payment", `SELECT version, time_rules FROM price_rules WHERE cinema_id = $1`, [cinemaId])).toEqual([{ version: 2, time_rules: [] }]);
  });

  it("answers every cinema's rules in a list (one batched read)", async () => {
    const res = await ok(`{ cinemas { id priceRules { cinemaId currency } } }`, {});
    expect(res.cinemas.length).toBeGreaterThan(1);
    for (const c of res.cinemas) expect(c.priceRules).toMatchObject({ cinemaId: c.id, currency: "KRW" });
  });
});

describe("priceQuote", () => {
  it("prices every class × ticket type of a weekday morning show as the pricing function does", async () => {
    const cinemaId = await createCinema();
    const id = await screeningIn(cinemaId, localStart("Asia/Seoul", "09:30", WEEKDAY));
    const data = await ok(QUOTE, { id, t: ALL_TICKETS });
    const quote = data.screening.priceQuote;
    expect(quote).toEqual(expected(data.screening.startsAt, RULES));
    // Spelled out for one seat: a premium youth ticket in the morning.
    expect(quote.lines.find((l: { seat: string }) => l.seat === "B-2")).toEqual({
      seat: "B-2", seatClass: "PREMIUM", ticketType: "YOUTH", priceCents: 9000,
      items: [
        { kind: "BASE", label: "Base price", amountCents: 12000 },
        { kind: "SEAT_CLASS", label: "Premium seat", amountCents: 3000 },
        { kind: "TIME", label: "Morning (before 10:00)", amountCents: -3000 },
        { kind: "TICKET_TYPE", label: "Youth", amountCents: -3000 },
      ],
    });
  });

  it("applies the weekend rule by the cinema's own calendar (Seoul and New York)", async () => {
    const seoul = await screeningIn(await createCinema(), localStart("Asia/Seoul", "20:30", WEEKEND));
    const seoulQuote = await ok(QUOTE, { id: seoul, t: ALL_TICKETS });
    expect(seoulQuote.screening.priceQuote).toEqual(expected(seoulQuote.screening.startsAt, RULES));
    expect(seoulQuote.screening.priceQuote.lines[0].items).toEqual([
      { kind: "BASE", label: "Base price", amountCents: 12000 },
      { kind: "TIME", label: "Weekend", amountCents: 1000 },
    ]);
    // 09:00 Saturday in New York is 23:00 Saturday in Seoul: the New York cinema's morning and weekend both apply.
    const ny = await screeningIn(await createCinema("America/New_York"), localStart("America/New_York", "09:00", (d) => d === "SAT"));
    const nyQuote = await ok(QUOTE, { id: ny, t: [{ seat: "A-1", seatClass: "STANDARD", ticketType: "ADULT" }] });
    expect(nyQuote.screening.priceQuote.lines[0].items.filter((i: { kind: string }) => i.kind === "TIME").map((i: { label: string }) => i.label))
      .toEqual(["Morning (before 10:00)", "Weekend"]);
    expect(nyQuote.screening.priceQuote.totalCents).toBe(10000);
  });

  it("follows a change of the rules at once", async () => {
    const cinemaId = await createCinema();
    const id = await screeningIn(cinemaId, localStart("Asia/Seoul", "19:00", WEEKDAY), 15000);
    const before = await ok(QUOTE, { id, t: ALL_TICKETS });
    expect(before.screening.priceQuote).toEqual(expected(before.screening.startsAt, RULES, "Asia/Seoul", 15000));

    const rules: PriceRules = {
      currency: "KRW",
      seatClasses: { STANDARD: 0, PREMIUM: 6000, COUPLE: 2500, WHEELCHAIR: -1000, COMPANION: -1000 },
      ticketTypes: { ADULT: 0, YOUTH: 4000, SENIOR: 7000, DISABLED: 20000 },
      timeRules: [{ label: "Evening", days: ["MON", "TUE", "WED", "THU", "FRI"], from: "18:00", until: "23:00", amountCents: 1500 }],
    };
    await saveRules(cinemaId, rules);
    const after = await ok(QUOTE, { id, t: ALL_TICKETS });
    expect(after.screening.priceQuote).toEqual(expected(after.screening.startsAt, rules, "Asia/Seoul", 15000));
    expect(after.screening.priceQuote.totalCents).not.toBe(before.screening.priceQuote.totalCents);
    // A disabled guest's discount larger than the price stops at 0, and says what it took off.
    const disabled = after.screening.priceQuote.lines.find((l: { seat: string }) => l.seat === "A-4");
    expect(disabled).toMatchObject({ seatClass: "STANDARD", ticketType: "DISABLED", priceCents: 0 });
    expect(disabled.items.at(-1)).toEqual({ kind: "TICKET_TYPE", label: "Disabled", amountCents: -16500 });
  });

  it("refuses a seat given twice, a malformed seat and more than 20 tickets (BAD_USER_INPUT)", async () => {
    const id = await screeningIn(await createCinema(), localStart("Asia/Seoul", "15:00", () => true));
    const twice = await t.gql(QUOTE, { id, t: [ALL_TICKETS[0], { ...ALL_TICKETS[1], seat: ALL_TICKETS[0]!.seat }] });
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "tickets.1.seat" });
    const malformed = await t.gql(QUOTE, { id, t: [{ ...ALL_TICKETS[0], seat: "front row" }] });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "tickets.0.seat" });
    const many = await t.gql(QUOTE, { id, t: [...ALL_TICKETS, { seat: "F-1", seatClass: "STANDARD", ticketType: "ADULT" }] });
    expect(many.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "tickets" });
  });
});

describe("capturePayment (internal, as the reserve saga calls it)", () => {
  const CAPTURE = `mutation ($r: ID!, $c: ID!, $cur: String!, $t: String!, $p: PricingInput!, $e: Int) {
    capturePayment(reservationId: $r, customerId: $c, currency: $cur, paymentToken: $t, pricing: $p, expectedTotalCents: $e) { id status amountCents breakdown { ${BREAKDOWN} } }
  }`;
  async function capture(vars: { r: string; p: Record<string, unknown>; e?: number | null; t?: string }) {
    const res = await fetch(t.stack.urls.payment, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await internalIdentityHeaders({ id: "reservation", role: "service" })) },
      body: JSON.stringify({ query: CAPTURE, variables: { c: "alice", cur: "KRW", t: "tok_visa", ...vars } }),
    });
    return (await res.json()) as { data?: { capturePayment: any } | null; errors?: { message: string; extensions: Record<string, any> }[] };
  }
  const lines = [
    { seat: "C-1", seatClass: "COUPLE", ticketType: "ADULT" },
    { seat: "C-2", seatClass: "COUPLE", ticketType: "YOUTH" },
  ] as const;

  it("charges the priced total and keeps the breakdown; PRICE_CHANGED writes nothing; a repeat keeps the first price", async () => {
    const cinemaId = await createCinema();
    const startsAt = localStart("Asia/Seoul", "21:00", WEEKDAY);
    const pricing = { cinemaId, timeZone: "Asia/Seoul", startsAt, basePriceCents: 12000, lines };
    const price = expected(startsAt, RULES, "Asia/Seoul", 12000, [...lines]);
    expect(price.totalCents).toBe(12000 + 4000 + 12000 + 4000 - 3000);
    const r = randomUUID();

    const stale = await capture({ r, p: pricing, e: price.totalCents - 1000 });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: "PRICE_CHANGED", expectedTotalCents: price.totalCents - 1000, totalCents: price.totalCents });
    expect(stale.errors?.[0]?.message).toContain("₩29,000");
    expect(await t.sql("payment", `SELECT 1 FROM payment WHERE reservation_id = $1`, [r])).toEqual([]);

    const paid = await capture({ r, p: pricing, e: price.totalCents });
    expect(paid.errors).toBeUndefined();
    expect(paid.data!.capturePayment).toMatchObject({ status: "CAPTURED", amountCents: price.totalCents, breakdown: price });
    const [row] = await t.sql("payment", `SELECT amount_cents, breakdown FROM payment WHERE reservation_id = $1`, [r]);
    expect(row).toEqual({ amount_cents: price.totalCents, breakdown: price });

    // The rules change; the same reservation's repeat still answers the first charge, whatever it sends now.
    await ok(SET_RULES, { i: { cinemaId, seatClasses: [{ seatClass: "COUPLE", surchargeCents: 9000 }], ticketTypes: [], timeRules: [] } }, admin);
    const repeat = await capture({ r, p: pricing, e: 1 });
    expect(repeat.errors).toBeUndefined();
    expect(repeat.data!.capturePayment).toEqual(paid.data!.capturePayment);
    // A new booking pays the new price; without expectedTotalCents nothing is compared.
    const next = await capture({ r: randomUUID(), p: pricing });
    expect(next.data!.capturePayment.amountCents).toBe(2 * 21000);
  });

  it("refuses what it cannot price: an unknown time zone, no seats (BAD_USER_INPUT)", async () => {
    const pricing = { cinemaId: randomUUID(), timeZone: "Mars/Olympus", startsAt: localStart("UTC", "12:00", () => true), basePriceCents: 12000, lines };
    const zone = await capture({ r: randomUUID(), p: pricing });
    expect(zone.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "args.pricing.timeZone" });
    const none = await capture({ r: randomUUID(), p: { ...pricing, timeZone: "Asia/Seoul", lines: [] } });
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "args.pricing.lines" });
  });
});
