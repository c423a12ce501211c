// Issue 16: a screening cancelled by staff (a projector breaks). One admin mutation: the screening
// goes off sale, its seats close, every booking is cancelled and fully refunded through the usual
// chain (reservation.cancelled → payment.refunded → seat), each customer is told, my page follows,
// and staff watch the progress. Idempotent: repeating the mutation or redelivering events changes
// nothing twice.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { availableSeats, bookableScreening, reserve, seatStatuses } from "./fixtures.ts";

let t: TestStack;
beforeAll(async () => {
  // The saga asks movie every time: a booking right after the cancellation hears about it.
  t = await startTestStack({ env: { SCREENING_CACHE_SECONDS: "0" } });
});
afterAll(async () => {
  await t?.cleanup();
});

const CANCEL_SCREENING = `mutation ($id: ID!, $reason: String!) { cancelScreening(id: $id, reason: $reason) { id status onSale cancelledAt cancelReason } }`;
const PROGRESS = `query ($id: ID!) { screeningCancellation(screeningId: $id) { screeningId reason total cancelled refunded finishedAt done } }`;
const MY = `query ($id: ID!) { myReservation(id: $id) { id status paymentStatus refundedAmountCents ticketStatus seatsReleased } }`;
const count = async (subgraph: "reservation" | "payment" | "seat" | "movie", type: string, aggregateId: string) =>
  (await t.sql(subgraph, `SELECT count(*)::int AS n FROM outbox_event WHERE type = $1 AND payload->>'aggregateId' = $2`, [type, aggregateId]))[0].n as number;

describe("cancelScreening", () => {
  it("is for staff only, needs a reason, and names an unknown screening", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 4 });
    const customer = await t.gql(CANCEL_SCREENING, { id: s.id, reason: "Projector failure" }, { token: await t.tokenFor("eve", "customer") });
    expect(customer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const admin = await t.tokenFor("staff", "admin");
    const blank = await t.gql(CANCEL_SCREENING, { id: s.id, reason: "  " }, { token: admin });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "reason" });
    const unknown = await t.gql(CANCEL_SCREENING, { id: randomUUID(), reason: "Projector failure" }, { token: admin });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await t.gql(PROGRESS, { id: s.id }, { token: await t.tokenFor("eve", "customer") })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("cancels and refunds every booking once, closes the seats, tells each customer, and shows staff the progress", async () => {
    const s = await bookableScreening(t, { rows: 4, seatsPerRow: 10, priceCents: 11000 });
    const bookings: { id: string; customer: string }[] = [];
    for (let i = 0; i < 12; i++) {
      const customer = `fan${i % 5}`;
      const res = await reserve(t, customer, { screeningId: s.id, seats: [`${"ABCD"[i % 4]}-${1 + 2 * Math.floor(i / 4)}`, `${"ABCD"[i % 4]}-${2 + 2 * Math.floor(i / 4)}`] });
      expect(res.errors).toBeUndefined();
      bookings.push({ id: res.data.reserve.id, customer });
    }
    // One customer had cancelled already; one booking was declined: neither is the screening's to cancel.
    const own = bookings.pop()!;
    expect((await t.gql(`mutation ($id: ID!) { cancelReservation(id: $id) { status } }`, { id: own.id }, { token: await t.tokenFor(own.customer) })).errors).toBeUndefined();
    const declined = await reserve(t, "fan1", { screeningId: s.id, seats: ["D-10"], paymentToken: "tok_chargeDeclined" });
    expect(declined.errors?.[0]?.extensions?.code).toBe("PAYMENT_DECLINED");

    const admin = await t.tokenFor("staff", "admin");
    const res = await t.gql(CANCEL_SCREENING, { id: s.id, reason: "Projector failure" }, { token: admin });
    expect(res.errors).toBeUndefined();
    expect(res.data.cancelScreening).toMatchObject({ id: s.id, status: "CANCELLED", onSale: false, cancelReason: "Projector failure" });

    const progress = await waitFor(async () => {
      const p = (await t.gql(PROGRESS, { id: s.id }, { token: admin })).data?.screeningCancellation;
      return p?.done ? p : null;
    }, { timeoutMs: 30_000 });
    expect(progress).toMatchObject({ screeningId: s.id, reason: "Projector failure", total: 11, cancelled: 11, refunded: 11 });
    expect(progress.finishedAt).toBeTruthy();

    const rows = await t.sql("reservation", `SELECT id::text, status::text, cancel_reason FROM reservation WHERE screening_id = $1 AND status = 'CANCELLED' ORDER BY id`, [s.id]);
    expect(rows.filter((r) => r.cancel_reason === "SCREENING_CANCELLED").map((r) => r.id).sort()).toEqual(bookings.map((b) => b.id).sort());
    expect(rows.find((r) => r.id === own.id)?.cancel_reason).toBe("CUSTOMER");
    for (const b of bookings) {
      // Exactly once along the whole chain.
      expect(await count("reservation", "reservation.cancelled", b.id)).toBe(1);
      expect(await count("payment", "payment.refunded", b.id)).toBe(1);
      expect(await count("seat", "seat.released", b.id)).toBe(1);
    }
    const payments = await t.sql("payment", `SELECT status::text, count(*)::int AS n, sum(amount_cents)::int AS total FROM payment WHERE reservation_id = ANY($1::uuid[]) GROUP BY status`, [bookings.map((b) => b.id)]);
    expect(payments).toEqual([{ status: "REFUNDED", n: 11, total: 11 * 22000 }]);

    // The seats are closed, and stay closed after the refunds: nothing can be booked or reopened.
    const seats = await seatStatuses(t, s.id);
    expect(new Set(Object.values(seats))).toEqual(new Set(["BLOCKED"]));
    expect(await availableSeats(t, s.id)).toBe(0);
    const again = await reserve(t, "late", { screeningId: s.id, seats: ["D-9"] });
    expect(again.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(again.errors?.[0]?.message).toMatch(/cancelled by the cinema/);
    const reopen = await t.gql(`mutation ($s: ID!) { setSeatsBlocked(screeningId: $s, labels: ["A-1"], blocked: false) { label } }`, { s: s.id }, { token: admin });
    expect(reopen.errors?.[0]?.extensions?.code).toBe("CONFLICT");

    // Each customer is told why, once per booking.
    const notes = await waitFor(async () => {
      const n = await t.sql("notifications", `SELECT reservation_id::text, subject, body FROM notification WHERE kind = 'SCREENING_CANCELLED' AND reservation_id = ANY($1::uuid[])`, [bookings.map((b) => b.id)]);
      return n.length === 11 ? n : null;
    });
    expect(new Set(notes.map((n) => n.reservation_id)).size).toBe(11);
    expect(notes[0].body).toMatch(/Projector failure/);
    expect(notes[0].body).toMatch(/₩22,000/);

    // My page: cancelled and refunded.
    const b = bookings[0]!;
    const mine = await waitFor(async () => {
      const m = (await t.gql(MY, { id: b.id }, { token: await t.tokenFor(b.customer) })).data?.myReservation;
      return m?.paymentStatus === "REFUNDED" && m.seatsReleased ? m : null;
    });
    expect(mine).toMatchObject({ status: "CANCELLED", ticketStatus: "VOID", refundedAmountCents: 22000 });

    // Cancelling it again changes nothing and writes no second event.
    const twice = await t.gql(CANCEL_SCREENING, { id: s.id, reason: "Something else" }, { token: admin });
    expect(twice.data.cancelScreening).toMatchObject({ status: "CANCELLED", cancelReason: "Projector failure" });
    expect(await count("movie", "movie.screening-cancelled", s.id)).toBe(1);
  });

  it("applies a redelivered movie.screening-cancelled once, and finishes a cancellation that stopped midway", async () => {
    const s = await bookableScreening(t, { rows: 2, seatsPerRow: 10 });
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) ids.push((await reserve(t, `gus${i}`, { screeningId: s.id, seats: [`A-${i}`] })).data.reserve.id);
    const admin = await t.tokenFor("staff", "admin");
    // The reservation process is down when staff cancel: the event waits in JetStream.
    await t.stack.stop("reservation");
    try {
      expect((await t.gql(CANCEL_SCREENING, { id: s.id, reason: "Power cut" }, { token: admin })).errors).toBeUndefined();
      // Seat closes the seats meanwhile; the bookings are still CONFIRMED.
      await waitFor(async () => Object.values(await seatStatuses(t, s.id)).every((x) => x === "BLOCKED"));
    } finally {
      await t.stack.start("reservation");
    }
    await waitFor(async () => (await t.gql(PROGRESS, { id: s.id }, { token: admin })).data?.screeningCancellation?.done, { timeoutMs: 30_000 });

    // As if a process had died after recording the work but before cancelling the rest: the periodic run finishes it.
    const more = await bookableScreening(t, { rows: 1, seatsPerRow: 6 });
    const later: string[] = [];
    for (let i = 1; i <= 3; i++) later.push((await reserve(t, `hal${i}`, { screeningId: more.id, seats: [`A-${i}`] })).data.reserve.id);
    await t.sql("reservation", `INSERT INTO screening_cancellation (screening_id, reason, cancelled_by, requested_at) VALUES ($1, 'Flood', 'staff', now())`, [more.id]);
    await waitFor(async () => {
      const rows = await t.sql("reservation", `SELECT count(*)::int AS n FROM reservation WHERE id = ANY($1::uuid[]) AND status = 'CANCELLED' AND cancel_reason = 'SCREENING_CANCELLED'`, [later]);
      return rows[0].n === 3;
    }, { timeoutMs: 10_000 });

    // The broker delivers the first screening's event again: nothing is cancelled or refunded twice.
    const nc = await connect({ servers: t.stack.natsUrl });
    try {
      const [row] = await t.sql("movie", `SELECT payload FROM outbox_event WHERE type = 'movie.screening-cancelled' AND payload->>'aggregateId' = $1`, [s.id]);
      await jetstream(nc).publish(`${t.stack.eventsPrefix}.movie.screening-cancelled`, JSON.stringify(row.payload), { msgID: randomUUID() });
    } finally {
      await nc.close();
    }
    await new Promise((r) => setTimeout(r, 2000));
    for (const id of ids) {
      expect(await count("reservation", "reservation.cancelled", id)).toBe(1);
      await waitFor(async () => (await count("payment", "payment.refunded", id)) === 1);
    }
    const p = (await t.gql(PROGRESS, { id: s.id }, { token: admin })).data.screeningCancellation;
    expect(p).toMatchObject({ total: 6, cancelled: 6, refunded: 6, done: true });
  });
});
