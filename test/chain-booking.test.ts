// A booking at a cinema of a chain, end to end through the gateway: seats of several classes with
// ticket types, priced by the cinema's rules (time rules in its own time zone), the amount charged
// equal to the breakdown, kept on the booking, the payment and my page, refunded in full on
// cancellation, and untouched by later rule changes (docs/cinema-chain.md).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";

let t: TestStack;
let admin: string;
beforeAll(async () => {
  t = await startTestStack();
  admin = await t.tokenFor("staff", "admin");
});
afterAll(async () => {
  await t?.cleanup();
});

// Row A: 3 standard seats, an aisle, 2 premium seats; row B: a wheelchair space with its companion,
// a blocked seat; then a cross aisle; row C: two couple pairs.
const LAYOUT = ["SSS.PP", "Ww.X..", "......", "CC.CC."].join("\n");
const SEATS_FOR_SALE = 3 + 2 + 2 + 4; // the blocked one is not

/** The next `weekday` (0 = Sunday) in Seoul, at least 2 days ahead, at `hhmm` Seoul time, as ISO UTC. */
function nextSeoul(weekday: number, hhmm: string): string {
  for (let d = 2; d < 10; d++) {
    const day = new Date(Date.now() + 9 * 3600_000 + d * 86_400_000);
    if (day.getUTCDay() === weekday) return new Date(`${day.toISOString().slice(0, 10)}T${hhmm}:00+09:00`).toISOString();
  }
  throw new Error("unreachable");
}

async function staff<T = any>(query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await t.gql(query, variables, { token: admin });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
}

let cinemaId: string;
let movieId: string;
let auditoriumId: string;
async function screeningAt(startsAt: string, priceCents = 12_000): Promise<string> {
  const { scheduleScreening } = await staff(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
    i: { movieId, auditoriumId, startsAt, priceCents },
  });
  const id: string = scheduleScreening.id;
  await waitFor(async () => (await t.gql(`query ($id: ID!) { screening(id: $id) { availableSeatCount } }`, { id })).data?.screening?.availableSeatCount === SEATS_FOR_SALE, {
    timeoutMs: 10_000,
  });
  return id;
}

const BOOK = `mutation ($i: ReserveInput!) {
  reserve(input: $i) {
    id status amountCents currency seats
    lines { seat seatClass ticketType priceCents }
    payment { status amountCents breakdown { totalCents lines { seat seatClass ticketType priceCents items { kind label amountCents } } } }
  }
}`;
const QUOTE = `query ($id: ID!, $t: [QuoteTicketInput!]!) {
  screening(id: $id) { priceQuote(tickets: $t) { currency totalCents lines { seat seatClass ticketType priceCents items { kind label amountCents } } } }
}`;

beforeAll(async () => {
  const { createCinema } = await staff(`mutation ($i: CreateCinemaInput!) { createCinema(input: $i) { id } }`, {
    i: { name: `CineMA Test ${randomUUID().slice(0, 8)}`, address: "1 Test-ro, Seoul", timeZone: "Asia/Seoul", maxSeatsPerBooking: 4 },
  });
  cinemaId = createCinema.id;
  // This cinema's rules (the chain's usual ones): classes, ticket types, a morning and a weekend rule.
  await staff(`mutation ($i: PriceRulesInput!) { setPriceRules(input: $i) { cinemaId } }`, {
    i: {
      cinemaId,
      seatClasses: [{ seatClass: "PREMIUM", surchargeCents: 3_000 }, { seatClass: "COUPLE", surchargeCents: 4_000 }],
      ticketTypes: [{ ticketType: "YOUTH", discountCents: 3_000 }, { ticketType: "SENIOR", discountCents: 5_000 }, { ticketType: "DISABLED", discountCents: 6_000 }],
      timeRules: [
        { label: "Morning (before 10:00)", days: ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"], from: "00:00", until: "10:00", amountCents: -3_000 },
        { label: "Weekend", days: ["SAT", "SUN"], from: "00:00", until: "24:00", amountCents: 1_000 },
      ],
    },
  });
  const { registerMovie } = await staff(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, {
    i: { title: "Chain booking", summary: "For tests", runtimeMinutes: 100, rating: "ALL" },
  });
  movieId = registerMovie.id;
  const { createAuditorium } = await staff(`mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id capacity } }`, {
    i: { cinemaId, name: "Hall L", layout: LAYOUT },
  });
  auditoriumId = createAuditorium.id;
});

describe("a booking priced by the cinema's rules", () => {
  it("charges exactly the breakdown (class × ticket type × time rule), keeps it on booking, payment and my page, refunds it in full", async () => {
    // Saturday 09:30 in Seoul: the morning (−3,000) and weekend (+1,000) rules both apply.
    const screeningId = await screeningAt(nextSeoul(6, "09:30"));
    const tickets = [
      { seat: "A-1", ticketType: "ADULT" }, // 12,000 − 3,000 + 1,000 = 10,000
      { seat: "A-4", ticketType: "YOUTH" }, // premium: + 3,000, youth − 3,000 → 10,000
      { seat: "C-1", ticketType: "SENIOR" }, // couple: + 4,000, senior − 5,000 → 9,000
      { seat: "C-2", ticketType: "ADULT" }, // couple: 14,000
    ];
    const expected = { "A-1": 10_000, "A-4": 10_000, "C-1": 9_000, "C-2": 14_000 };
    const total = 43_000;

    // The quote the customer sees (classes as the seat map shows them).
    const classes = { "A-1": "STANDARD", "A-4": "PREMIUM", "C-1": "COUPLE", "C-2": "COUPLE" } as const;
    const quote = await t.gql(QUOTE, { id: screeningId, t: tickets.map((x) => ({ ...x, seatClass: classes[x.seat as keyof typeof classes] })) });
    expect(quote.errors).toBeUndefined();
    expect(quote.data.screening.priceQuote.totalCents).toBe(total);
    for (const line of quote.data.screening.priceQuote.lines) {
      expect(line.priceCents).toBe(expected[line.seat as keyof typeof expected]);
      expect(line.items.reduce((n: number, i: { amountCents: number }) => n + i.amountCents, 0)).toBe(line.priceCents);
      expect(line.items.map((i: { kind: string }) => i.kind)).toContain("TIME");
    }

    const customer = await t.tokenFor("chain-customer", "customer");
    const booked = await t.gql(BOOK, { i: { screeningId, tickets, paymentToken: "tok_visa", idempotencyKey: randomUUID(), expectedTotalCents: total } }, { token: customer });
    expect(booked.errors, JSON.stringify(booked.errors)).toBeUndefined();
    const r = booked.data.reserve;
    expect(r).toMatchObject({ status: "CONFIRMED", amountCents: total, currency: "KRW", payment: { status: "CAPTURED", amountCents: total } });
    expect(r.payment.breakdown.totalCents).toBe(total);
    expect(r.payment.breakdown.lines).toEqual(quote.data.screening.priceQuote.lines);
    expect(r.lines).toEqual(quote.data.screening.priceQuote.lines.map(({ items: _, ...line }: { items: unknown }) => line));

    // My page has the same lines with their parts, and the cinema.
    const MY = `query ($id: ID!) { myReservation(id: $id) { cinemaName refundedAmountCents paymentStatus lines { seat seatClass ticketType priceCents items { kind label amountCents } } } }`;
    const mine = await waitFor(async () => (await t.gql(MY, { id: r.id }, { token: customer })).data?.myReservation, { timeoutMs: 10_000 });
    expect(mine.cinemaName).toMatch(/^CineMA Test/);
    expect(mine.lines).toEqual(quote.data.screening.priceQuote.lines);

    // Staff change the prices: the booking keeps what it was charged; new quotes use the new rules.
    const rules = await staff(`query ($id: ID!) { cinema(id: $id) { priceRules { seatClasses { seatClass surchargeCents } ticketTypes { ticketType discountCents } timeRules { label days from until amountCents } } } }`, { id: cinemaId });
    const { seatClasses, ticketTypes, timeRules } = rules.cinema.priceRules;
    await staff(`mutation ($i: PriceRulesInput!) { setPriceRules(input: $i) { cinemaId } }`, {
      i: { cinemaId, seatClasses: seatClasses.map((c: { seatClass: string; surchargeCents: number }) => (c.seatClass === "COUPLE" ? { ...c, surchargeCents: 6_000 } : c)), ticketTypes, timeRules },
    });
    const after = await t.gql(`query ($id: ID!) { reservation(id: $id) { amountCents lines { priceCents } payment { amountCents breakdown { totalCents } } } }`, { id: r.id }, { token: customer });
    expect(after.data.reservation).toMatchObject({ amountCents: total, payment: { amountCents: total, breakdown: { totalCents: total } } });
    const requote = await t.gql(QUOTE, { id: screeningId, t: [{ seat: "C-1", seatClass: "COUPLE", ticketType: "ADULT" }] });
    expect(requote.data.screening.priceQuote.totalCents).toBe(12_000 - 3_000 + 1_000 + 6_000);

    // Cancelled: the refund is exactly what was charged, and my page says so.
    const cancelled = await t.gql(`mutation ($id: ID!) { cancelReservation(id: $id) { status } }`, { id: r.id }, { token: customer });
    expect(cancelled.errors).toBeUndefined();
    const refunded = await waitFor(async () => {
      const m = (await t.gql(MY, { id: r.id }, { token: customer })).data?.myReservation;
      return m?.paymentStatus === "REFUNDED" ? m : undefined;
    }, { timeoutMs: 15_000 });
    expect(refunded.refundedAmountCents).toBe(total);
    const [payment] = await t.sql("payment", `SELECT amount_cents, status FROM payment WHERE reservation_id = $1`, [r.id]);
    expect(payment).toMatchObject({ amount_cents: total, status: "REFUNDED" });
  });

  it("a weekday evening has no time rule; DISABLED at a wheelchair space with its companion", async () => {
    const screeningId = await screeningAt(nextSeoul(3, "19:00"), 15_000);
    const customer = await t.tokenFor("chain-customer-2", "customer");
    const res = await t.gql(BOOK, {
      i: { screeningId, tickets: [{ seat: "B-1", ticketType: "DISABLED" }, { seat: "B-2", ticketType: "ADULT" }], paymentToken: "tok_visa", idempotencyKey: randomUUID() },
    }, { token: customer });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(res.data.reserve.lines).toEqual([
      { seat: "B-1", seatClass: "WHEELCHAIR", ticketType: "DISABLED", priceCents: 9_000 },
      { seat: "B-2", seatClass: "COMPANION", ticketType: "ADULT", priceCents: 15_000 },
    ]);
    expect(res.data.reserve.amountCents).toBe(24_000);
    for (const line of res.data.reserve.payment.breakdown.lines) expect(line.items.map((i: { kind: string }) => i.kind)).not.toContain("TIME");
  });

  it("refuses typed before charging: a price that changed since the quote, more seats than the cinema allows", async () => {
    const screeningId = await screeningAt(nextSeoul(4, "19:00"), 13_000);
    const customer = await t.tokenFor("chain-customer-3", "customer");
    const changed = await t.gql(BOOK, {
      i: { screeningId, tickets: [{ seat: "A-2", ticketType: "ADULT" }], paymentToken: "tok_visa", idempotencyKey: randomUUID(), expectedTotalCents: 12_000 },
    }, { token: customer });
    expect(changed.errors?.[0]?.extensions?.code).toBe("PRICE_CHANGED");
    expect(changed.errors?.[0]?.message).toMatch(/price/i);

    const tooMany = await t.gql(BOOK, {
      i: { screeningId, seats: ["A-1", "A-2", "A-3", "A-4", "A-5"], paymentToken: "tok_visa", idempotencyKey: randomUUID() },
    }, { token: customer });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", maxSeatsPerBooking: 4 });

    const neither = await t.gql(BOOK, { i: { screeningId, paymentToken: "tok_visa", idempotencyKey: randomUUID() } }, { token: customer });
    expect(neither.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");

    // Nothing was charged and every seat is still for sale; the right price books it.
    const charged = await t.sql("payment", `SELECT count(*)::int AS n FROM payment WHERE status = 'CAPTURED' AND amount_cents = 12000`);
    expect(charged[0].n).toBe(0);
    const ok = await t.gql(BOOK, {
      i: { screeningId, tickets: [{ seat: "A-2", ticketType: "ADULT" }], paymentToken: "tok_visa", idempotencyKey: randomUUID(), expectedTotalCents: 13_000 },
    }, { token: customer });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.reserve.amountCents).toBe(13_000);
  });
});
