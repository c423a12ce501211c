// Issue 16's fault cases: a screening cancelled by staff while things break. Around the usual load
// (customers booking, cancelling and reading my page on other screenings), staff call a screening
// with many bookings off; then
// - the payment subgraph is down when it happens and comes back later;
// - 200 bookings, and reservation (which cancels them in batches) and then payment (which refunds
//   them) are each killed with -9 midway and started again.
// Every booking of the screening must end CANCELLED and refunded exactly once, its seats closed,
// each customer told once; and the shared invariant check over every database must hold (money out
// = money refunded + money kept, seats sold = seats on tickets, my page = the owners' truth).
import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor, type TestStack } from "../harness.ts";
import { bookableScreening, RESERVE } from "../fixtures.ts";
import { finishCase, startFaultStack } from "./common.ts";
import type { Violation } from "./invariants.ts";
import { freshSeats, startLoad, type LoadStats, type SeatPool } from "./load.ts";

let t: TestStack;
let seats: SeatPool;
let admin: string;
beforeAll(async () => {
  t = await startFaultStack();
  admin = await t.tokenFor("staff", "admin");
  seats = await freshSeats(t, 3); // the load's own screenings, 1,800 seats never offered twice
});
afterAll(async () => {
  await t?.cleanup();
});

const CANCEL_SCREENING = `mutation ($id: ID!, $reason: String!) { cancelScreening(id: $id, reason: $reason) { id status } }`;
const PROGRESS = `query ($id: ID!) { screeningCancellation(screeningId: $id) { total cancelled refunded done } }`;

/** A screening of rows × 20 seats with `count` one-seat bookings by 20 customers, made `parallel` at a time. */
async function bookedScreening(count: number, rows: number, parallel = 6) {
  const s = await bookableScreening(t, { rows, seatsPerRow: 20, priceCents: 13000 });
  const labels = Array.from({ length: count }, (_, i) => `${String.fromCharCode(65 + Math.floor(i / 20))}-${(i % 20) + 1}`);
  const ids: string[] = [];
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => t.tokenFor(`viewer${i}`)));
  for (let i = 0; i < labels.length; i += parallel) {
    const batch = labels.slice(i, i + parallel);
    const answers = await Promise.all(batch.map((seat, j) => bookOne(s.id, seat, tokens[(i + j) % 20]!)));
    for (const a of answers) {
      expect(a.errors).toBeUndefined();
      ids.push(a.data.reserve.id);
    }
  }
  return { id: s.id, ids };
}

/** One booking, tried again (a new attempt) while a service is still recovering from the previous case. */
async function bookOne(screeningId: string, seat: string, token: string) {
  for (let attempt = 1; ; attempt++) {
    const res = await t.gql(RESERVE, { i: { screeningId, seats: [seat], paymentToken: "tok_visa", idempotencyKey: randomUUID() } }, { token });
    const code = res.errors?.[0]?.extensions?.code;
    if (code !== "SERVICE_UNAVAILABLE" || attempt >= 30) return res;
    await sleep(1_000 * Number(res.errors?.[0]?.extensions?.retryAfterSeconds ?? 1));
  }
}

/** Every booking cancelled for the screening, refunded once, its seats closed, its customer told once. */
function screeningChecks(screeningId: string, ids: string[]) {
  return async (): Promise<Violation[]> => {
    const out: Violation[] = [];
    const add = (invariant: string, detail: string) => out.push({ invariant, detail });
    const rows = await t.sql("reservation", `SELECT id::text, status::text, cancel_reason, amount_cents FROM reservation WHERE id = ANY($1::uuid[])`, [ids]);
    for (const r of rows) if (r.status !== "CANCELLED" || r.cancel_reason !== "SCREENING_CANCELLED") add("screening.booking-cancelled", `${r.id} is ${r.status} (${r.cancel_reason})`);
    const cancelledEvents = await t.sql("reservation", `SELECT payload->>'aggregateId' AS id, count(*)::int AS n FROM outbox_event WHERE type = 'reservation.cancelled' AND payload->>'aggregateId' = ANY($1) GROUP BY 1`, [ids]);
    const refunds = await t.sql("payment", `SELECT payload->>'aggregateId' AS id, count(*)::int AS n FROM outbox_event WHERE type = 'payment.refunded' AND payload->>'aggregateId' = ANY($1) GROUP BY 1`, [ids]);
    const notes = await t.sql("notifications", `SELECT reservation_id::text AS id, count(*)::int AS n FROM notification WHERE kind = 'SCREENING_CANCELLED' AND reservation_id = ANY($1::uuid[]) GROUP BY 1`, [ids]);
    for (const [what, counted] of [["reservation.cancelled", cancelledEvents], ["payment.refunded", refunds], ["notification", notes]] as const) {
      const n = new Map(counted.map((c) => [c.id, c.n]));
      const wrong = ids.filter((id) => n.get(id) !== 1);
      if (wrong.length) add("screening.exactly-once", `${wrong.length} bookings without exactly one ${what}, e.g. ${wrong[0]} (${n.get(wrong[0]!) ?? 0})`);
    }
    const [money] = await t.sql("payment", `SELECT count(*) FILTER (WHERE status = 'REFUNDED')::int AS refunded, coalesce(sum(amount_cents) FILTER (WHERE status = 'REFUNDED'), 0)::int AS back, coalesce(sum(amount_cents), 0)::int AS paid FROM payment WHERE reservation_id = ANY($1::uuid[])`, [ids]);
    if (money.refunded !== ids.length || money.back !== money.paid) add("screening.refunded-in-full", `${money.refunded}/${ids.length} refunded, ${money.back} of ${money.paid} back`);
    const [open] = await t.sql("seat", `SELECT count(*) FILTER (WHERE status <> 'BLOCKED')::int AS n FROM seat WHERE screening_id = $1`, [screeningId]);
    if (open.n !== 0) add("screening.seats-closed", `${open.n} seats of the cancelled screening are not closed`);
    const progress = (await t.gql(PROGRESS, { id: screeningId }, { token: admin })).data?.screeningCancellation;
    if (!progress?.done || progress.total !== ids.length || progress.refunded !== ids.length) add("screening.progress", `staff see ${JSON.stringify(progress)}`);
    return out;
  };
}

/** Once staff see the cancellation done (or a minute has passed): the shared invariants and the screening's own checks. */
async function finishScreeningCase(name: string, stats: LoadStats, booked: { id: string; ids: string[] }, notes: string) {
  await waitFor(async () => (await t.gql(PROGRESS, { id: booked.id }, { token: admin })).data?.screeningCancellation?.done, { timeoutMs: 60_000 }).catch(() => {});
  await finishCase(t.stack, name, stats, { notes, extraChecks: screeningChecks(booked.id, booked.ids) });
}

describe("a screening cancelled by staff, with faults", () => {
  it("while the payment subgraph is down, then up: every booking cancelled at once, refunded exactly once after payment returns", async () => {
    await seats.topUp(t, 2_400); // the load's cap (1,500 requests, ≤ 3 seats a booking) on a fast build
    const booked = await bookedScreening(40, 2);
    const load = startLoad(t, { seats, customers: 6, durationMs: 90_000 });
    let seenWhileDown = "";
    try {
      await sleep(2_000);
      await t.stack.stop("payment", "SIGKILL");
      try {
        const res = await t.gql(CANCEL_SCREENING, { id: booked.id, reason: "Projector failure" }, { token: admin });
        expect(res.errors).toBeUndefined();
        // Cancelling needs no payment: all done while it is down, nothing refunded yet.
        const down = await waitFor(async () => {
          const p = (await t.gql(PROGRESS, { id: booked.id }, { token: admin })).data?.screeningCancellation;
          return p?.cancelled === booked.ids.length ? p : null;
        }, { timeoutMs: 20_000 });
        expect(down.refunded).toBe(0);
        seenWhileDown = `${down.cancelled}/${down.total} cancelled, ${down.refunded} refunded while payment was down`;
        await sleep(3_000);
      } finally {
        await t.stack.start("payment");
      }
      await sleep(2_000);
    } finally {
      load.stop();
    }
    await finishScreeningCase("screening cancelled, payment down then up", await load.done, booked, `40 bookings; ${seenWhileDown}`);
  });

  it("200 bookings, reservation and then payment killed -9 midway: every booking ends cancelled and refunded exactly once", async () => {
    await seats.topUp(t, 2_400); // the load's cap (1,500 requests, ≤ 3 seats a booking) on a fast build
    const booked = await bookedScreening(200, 10);
    const load = startLoad(t, { seats, customers: 6, durationMs: 120_000 });
    const notes: string[] = [];
    try {
      await sleep(2_000);
      const res = await t.gql(CANCEL_SCREENING, { id: booked.id, reason: "Projector failure" }, { token: admin });
      expect(res.errors).toBeUndefined();
      // As soon as reservation has cancelled some of them: kill it.
      const cancelledSoFar = async () =>
        (await t.sql("reservation", `SELECT count(*)::int AS n FROM reservation WHERE screening_id = $1 AND cancel_reason = 'SCREENING_CANCELLED'`, [booked.id]))[0].n as number;
      await waitFor(async () => (await cancelledSoFar()) > 0, { timeoutMs: 20_000, intervalMs: 5 });
      await t.stack.stop("reservation", "SIGKILL");
      notes.push(`reservation killed at ${await cancelledSoFar()}/200 cancelled`);
      await t.stack.start("reservation");
      // As soon as payment has refunded some of them: kill it.
      const refundedSoFar = async () =>
        (await t.sql("payment", `SELECT count(*)::int AS n FROM payment WHERE reservation_id = ANY($1::uuid[]) AND status = 'REFUNDED'`, [booked.ids]))[0].n as number;
      await waitFor(async () => (await refundedSoFar()) > 0, { timeoutMs: 30_000, intervalMs: 5 });
      await t.stack.stop("payment", "SIGKILL");
      notes.push(`payment killed at ${await refundedSoFar()}/200 refunded`);
      await t.stack.start("payment");
      await sleep(2_000);
    } finally {
      load.stop();
    }
    await finishScreeningCase("screening of 200 cancelled, reservation and payment killed midway", await load.done, booked, notes.join("; "));
  });
});
