// Partial cancellation: some seats of a booking cancelled, the rest kept. The refund is exactly
// those seats' lines, the seats go back on sale, the ticket is reissued, my page and the
// customer's messages say what happened; a later whole cancellation refunds only what is left.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { layoutScreening, seatStatuses } from "./fixtures.ts";

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t?.cleanup();
});

const HALL = "SSSSSS\nCCCC";
const BOOK = `mutation ($i: ReserveInput!) { reserve(input: $i) { id status seats amountCents lines { seat ticketType priceCents } } }`;
const CANCEL_SEATS = `mutation ($id: ID!, $s: [String!]!) { cancelSeats(id: $id, seats: $s) { id status seats amountCents lines { seat priceCents } } }`;
const CANCEL = `mutation ($id: ID!) { cancelReservation(id: $id) { id status } }`;
const RESERVATION = `query ($id: ID!) { reservation(id: $id) { id status seats amountCents ticket { code status } payment { status amountCents } } }`;
const MY = `query ($id: ID!) { myReservation(id: $id) { id status seats amountCents paymentStatus ticketCode seatsReleased refundedAmountCents lines { seat priceCents } history { kind description } } }`;

type Ticket = { seat: string; ticketType: "ADULT" | "YOUTH" | "SENIOR" };
async function book(customer: string, tickets: Ticket[], layout = HALL) {
  const s = await layoutScreening(t, { layout, priceCents: 12000 });
  const token = await t.tokenFor(customer, "customer");
  const res = await t.gql(BOOK, { i: { screeningId: s.id, tickets, paymentToken: "tok_visa", idempotencyKey: randomUUID() } }, { token });
  expect(res.errors).toBeUndefined();
  expect(res.data.reserve.status).toBe("CONFIRMED");
  return { screening: s, booking: res.data.reserve as { id: string; amountCents: number; lines: { seat: string; priceCents: number }[] }, token };
}
const my = async (id: string, token: string) => (await t.gql(MY, { id }, { token })).data?.myReservation;
const ticketOf = async (id: string, token: string) => waitFor(async () => (await t.gql(RESERVATION, { id }, { token })).data?.reservation?.ticket, { timeoutMs: 10_000 });
const partialRefunds = (reservationId: string) =>
  t.sql("payment", `SELECT r.seats, r.amount_cents AS "amountCents", r.refunded_at IS NOT NULL AS done FROM partial_refund r JOIN payment p ON p.id = r.payment_id WHERE p.reservation_id = $1`, [reservationId]);

describe("cancelSeats", () => {
  it("refunds exactly the cancelled seats' lines, puts them back on sale and reissues the ticket for the rest", async () => {
    const { screening, booking, token } = await book("pia", [
      { seat: "A-1", ticketType: "ADULT" },
      { seat: "A-2", ticketType: "YOUTH" },
      { seat: "A-3", ticketType: "ADULT" },
    ]);
    const price = Object.fromEntries(booking.lines.map((l) => [l.seat, l.priceCents]));
    expect(price["A-2"]).toBeLessThan(price["A-1"]!); // a youth ticket: its own line, its own refund
    const first = await ticketOf(booking.id, token);

    const res = await t.gql(CANCEL_SEATS, { id: booking.id, s: ["A-2"] }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data.cancelSeats).toMatchObject({ status: "CONFIRMED", seats: ["A-1", "A-3"], amountCents: booking.amountCents - price["A-2"]! });
    expect(res.data.cancelSeats.lines.map((l: { seat: string }) => l.seat)).toEqual(["A-1", "A-3"]);

    // A new ticket code: the old one would still admit the cancelled seat.
    const reissued = (await t.gql(RESERVATION, { id: booking.id }, { token })).data.reservation;
    expect(reissued.ticket.status).toBe("ISSUED");
    expect(reissued.ticket.code).not.toBe(first.code);

    // Payment refunds that seat's line, once; seat puts only A-2 back on sale.
    await waitFor(async () => (await partialRefunds(booking.id))[0]?.done, { timeoutMs: 15_000 });
    expect(await partialRefunds(booking.id)).toEqual([{ seats: ["A-2"], amountCents: price["A-2"], done: true }]);
    await waitFor(async () => (await seatStatuses(t, screening.id))["A-2"] === "AVAILABLE", { timeoutMs: 15_000 });
    const seats = await seatStatuses(t, screening.id);
    expect([seats["A-1"], seats["A-3"]]).toEqual(["SOLD", "SOLD"]);
    expect(reissued.payment).toMatchObject({ status: "CAPTURED" });

    // My page: the booking goes on with two seats, the new ticket, and a history of what happened.
    const page = await waitFor(async () => {
      const r = await my(booking.id, token);
      return r?.history.some((h: { kind: string }) => h.kind === "SEATS_RELEASED") && r.refundedAmountCents ? r : null;
    }, { timeoutMs: 15_000 });
    expect(page).toMatchObject({
      status: "CONFIRMED",
      paymentStatus: "CAPTURED",
      seats: ["A-1", "A-3"],
      amountCents: booking.amountCents - price["A-2"]!,
      ticketCode: reissued.ticket.code,
      seatsReleased: false,
      refundedAmountCents: price["A-2"],
    });
    const kinds = page.history.map((h: { kind: string }) => h.kind);
    expect(kinds).toEqual(expect.arrayContaining(["CONFIRMED", "SEATS_CANCELLED", "REFUNDED", "SEATS_RELEASED"]));
    expect(page.history.find((h: { kind: string }) => h.kind === "SEATS_CANCELLED").description).toContain("A-2");

    // The customer is told, in both languages.
    const messages = await waitFor(async () => {
      const rows = await t.sql("notifications", `SELECT kind, subject, body FROM notification WHERE reservation_id = $1 AND kind = 'SEATS_CANCELLED'`, [booking.id]);
      return rows.length ? rows : null;
    }, { timeoutMs: 10_000 });
    expect(messages[0].subject).toContain("A-2");
    expect(messages[0].body).toContain(reissued.ticket.code);

    // A later whole cancellation refunds what is left, so the refunds add up to what was paid.
    expect((await t.gql(CANCEL, { id: booking.id }, { token })).data.cancelReservation.status).toBe("CANCELLED");
    const end = await waitFor(async () => {
      const r = await my(booking.id, token);
      return r?.paymentStatus === "REFUNDED" && r.seatsReleased ? r : null;
    }, { timeoutMs: 15_000 });
    expect(end.refundedAmountCents).toBe(booking.amountCents);
    const [payment] = await t.sql("payment", `SELECT status, refund_cents AS "refundCents" FROM payment WHERE reservation_id = $1`, [booking.id]);
    expect(payment).toEqual({ status: "REFUNDED", refundCents: booking.amountCents - price["A-2"]! });
    await waitFor(async () => {
      const s = await seatStatuses(t, screening.id);
      return ["A-1", "A-2", "A-3"].every((l) => s[l] === "AVAILABLE");
    }, { timeoutMs: 15_000 });
  });

  it("naming every seat cancels the whole booking", async () => {
    const { booking, token } = await book("quinn", [
      { seat: "A-4", ticketType: "ADULT" },
      { seat: "A-5", ticketType: "ADULT" },
    ]);
    const res = await t.gql(CANCEL_SEATS, { id: booking.id, s: ["A-5", "A-4"] }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data.cancelSeats).toMatchObject({ status: "CANCELLED", seats: ["A-4", "A-5"] });
    await waitFor(async () => (await my(booking.id, token))?.paymentStatus === "REFUNDED", { timeoutMs: 15_000 });
    expect((await my(booking.id, token)).refundedAmountCents).toBe(booking.amountCents);
  });

  it("refuses, typed: seats not in the booking, none, a couple seat's half, someone else's booking, a cancelled one, past the cutoff", async () => {
    const { booking, token } = await book("rosa", [
      { seat: "A-1", ticketType: "ADULT" },
      { seat: "B-1", ticketType: "ADULT" },
      { seat: "B-2", ticketType: "ADULT" },
    ]);
    const refusal = async (seats: string[], as = token) => (await t.gql(CANCEL_SEATS, { id: booking.id, s: seats }, { token: as })).errors?.[0];

    expect((await refusal(["A-9"]))?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "seats", seats: ["A-9"] });
    expect((await refusal([]))?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "seats" });
    const half = await refusal(["B-1"]);
    expect(half?.extensions).toMatchObject({ code: "BAD_USER_INPUT", rule: "COUPLE_PAIR", seat: "B-2", pairLabel: "B-1" });
    expect(half?.message).toMatch(/Couple seats/);
    expect((await refusal(["A-1"], await t.tokenFor("stranger", "customer")))?.extensions?.code).toBe("NOT_FOUND");

    // Both halves of the couple seat may go together.
    const pair = await t.gql(CANCEL_SEATS, { id: booking.id, s: ["B-1", "B-2"] }, { token });
    expect(pair.errors).toBeUndefined();
    expect(pair.data.cancelSeats.seats).toEqual(["A-1"]);

    // Past the cinema's cutoff: refused for the customer, allowed for staff.
    await t.sql("reservation", `UPDATE reservation SET screening_starts_at = now() + interval '5 minutes' WHERE id = $1`, [booking.id]);
    const late = await t.gql(CANCEL, { id: booking.id }, { token });
    expect(late.errors?.[0]?.extensions?.code).toBe("CANCELLATION_CLOSED");
    const staff = await t.gql(CANCEL, { id: booking.id }, { token: await t.tokenFor("staff", "admin") });
    expect(staff.data.cancelReservation.status).toBe("CANCELLED");
    expect((await refusal(["A-1"]))?.extensions?.code).toBe("CONFLICT");
  });

  it("two partial cancellations at once are applied one after the other, each refunded once", async () => {
    const { booking, token } = await book("sven", [
      { seat: "A-1", ticketType: "ADULT" },
      { seat: "A-2", ticketType: "SENIOR" },
      { seat: "A-3", ticketType: "YOUTH" },
      { seat: "A-4", ticketType: "ADULT" },
    ]);
    const price = Object.fromEntries(booking.lines.map((l) => [l.seat, l.priceCents]));
    const [a, b, again] = await Promise.all([
      t.gql(CANCEL_SEATS, { id: booking.id, s: ["A-2"] }, { token }),
      t.gql(CANCEL_SEATS, { id: booking.id, s: ["A-3"] }, { token }),
      t.gql(CANCEL_SEATS, { id: booking.id, s: ["A-2"] }, { token }),
    ]);
    expect(b.errors).toBeUndefined();
    // The same seat twice: one of the two finds it already gone.
    const [won, lost] = a.errors ? [again, a] : [a, again];
    expect(won.errors).toBeUndefined();
    expect(lost.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", seats: ["A-2"] });
    const now = (await t.gql(RESERVATION, { id: booking.id }, { token })).data.reservation;
    expect(now).toMatchObject({ status: "CONFIRMED", seats: ["A-1", "A-4"], amountCents: booking.amountCents - price["A-2"]! - price["A-3"]! });
    await waitFor(async () => (await partialRefunds(booking.id)).filter((r: { done: boolean }) => r.done).length === 2, { timeoutMs: 15_000 });
    const refunds = await partialRefunds(booking.id);
    expect(refunds.map((r: { amountCents: number }) => r.amountCents).sort()).toEqual([price["A-2"], price["A-3"]].sort());
    const page = await waitFor(async () => {
      const r = await my(booking.id, token);
      return r?.refundedAmountCents === price["A-2"]! + price["A-3"]! && r.seats.length === 2 ? r : null;
    }, { timeoutMs: 15_000 });
    expect(page.amountCents).toBe(now.amountCents);
  });
});
