// Cancellation over JetStream: ticket void → refund → seats back, each exactly once, with the
// mypage read model following along and answering while the other services are down.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { liveSeatsFreedSubject } from "@cinema/platform/events";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, reserve, seatStatuses } from "./fixtures.ts";

let t: TestStack;
beforeAll(async () => {
  // Few redeliveries: an event that only waits for its booking must not depend on retries.
  t = await startTestStack({ env: { EVENT_MAX_DELIVER: "2" } });
});
afterAll(async () => {
  await t?.cleanup();
});

const CANCEL = `mutation ($id: ID!) { cancelReservation(id: $id) { id status ticket { status } } }`;
const RESERVATION = `query ($id: ID!) { reservation(id: $id) { id status payment { status amountCents } ticket { code status qrSvg } } }`;
const MY = `query ($id: ID!) { myReservation(id: $id) { id status paymentStatus ticketStatus ticketCode seatsReleased refundedAmountCents movieTitle seats amountCents history { kind description } } }`;

async function book(customer: string, seats = ["A-1", "A-2"]) {
  const s = await bookableScreening(t, { priceCents: 12000 });
  const res = await reserve(t, customer, { screeningId: s.id, seats });
  expect(res.errors).toBeUndefined();
  return { screening: s, id: res.data.reserve.id as string, token: await t.tokenFor(customer, "customer") };
}
const my = async (id: string, token: string) => (await t.gql(MY, { id }, { token })).data?.myReservation;
const outboxCount = (subgraph: "payment" | "seat", type: string, reservationId: string) =>
  t.sql(subgraph, `SELECT count(*)::int AS n FROM outbox_event WHERE type = $1 AND payload->>'aggregateId' = $2`, [type, reservationId]).then((r) => r[0].n);

describe("tickets", () => {
  it("issues a ticket with an unguessable code and a QR image shortly after the booking", async () => {
    const { id, token } = await book("tina");
    const ticket = await waitFor(async () => (await t.gql(RESERVATION, { id }, { token })).data?.reservation?.ticket, { timeoutMs: 10_000 });
    expect(ticket.status).toBe("ISSUED");
    expect(ticket.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(ticket.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    await waitFor(async () => (await my(id, token))?.ticketCode === ticket.code, { timeoutMs: 10_000 });
  });
});

describe("cancelReservation", () => {
  it("voids the ticket at once, then refunds and releases the seats; my page follows with a history", async () => {
    const { id, token, screening } = await book("uma");
    await waitFor(async () => (await my(id, token))?.ticketStatus === "ISSUED", { timeoutMs: 10_000 });

    // The seat subgraph says when the seats are free again (reservation replicas listen to it).
    const nc = await connect({ servers: t.stack.natsUrl });
    const freed = nc.subscribe(liveSeatsFreedSubject(t.stack.eventsPrefix));
    const res = await t.gql(CANCEL, { id }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data.cancelReservation).toMatchObject({ status: "CANCELLED", ticket: { status: "VOID" } });
    try {
      for await (const msg of freed) {
        const change = msg.json<{ screeningId: string; labels: string[] }>();
        if (change.screeningId !== screening.id) continue;
        expect([...change.labels].sort()).toEqual(["A-1", "A-2"]);
        break;
      }
    } finally {
      await nc.close();
    }

    const after = await waitFor(async () => {
      const r = await my(id, token);
      return r?.seatsReleased && r.paymentStatus === "REFUNDED" ? r : null;
    }, { timeoutMs: 15_000 });
    expect(after).toMatchObject({ status: "CANCELLED", ticketStatus: "VOID", paymentStatus: "REFUNDED", refundedAmountCents: 24000, seatsReleased: true });
    expect(after.history.map((h: { kind: string }) => h.kind)).toEqual(["CONFIRMED", "TICKET_ISSUED", "CANCELLED", "REFUNDED", "SEATS_RELEASED"]);

    const source = (await t.gql(RESERVATION, { id }, { token })).data.reservation;
    expect(source).toMatchObject({ status: "CANCELLED", payment: { status: "REFUNDED", amountCents: 24000 }, ticket: { status: "VOID" } });
    const seats = await seatStatuses(t, screening.id);
    expect([seats["A-1"], seats["A-2"]]).toEqual(["AVAILABLE", "AVAILABLE"]);
    // The seats can be booked again.
    expect((await reserve(t, "victor", { screeningId: screening.id, seats: ["A-1"] })).data.reserve.status).toBe("CONFIRMED");

    // The notifications worker, subscribed to the same stream, wrote one message per event.
    const messages = await waitFor(async () => {
      const rows = await t.sql("notifications", `SELECT kind, subject FROM notification WHERE reservation_id = $1 ORDER BY created_at`, [id]);
      return rows.length === 2 ? rows : null;
    }, { timeoutMs: 10_000 });
    expect(messages.map((m) => m.kind)).toEqual(["BOOKING_CONFIRMED", "BOOKING_CANCELLED"]);
    expect(messages[1].subject).toMatch(/A-1, A-2/);
  });

  it("refuses a second cancellation, a failed booking, someone else's booking, and a started screening", async () => {
    const { id, token } = await book("wendy");
    expect((await t.gql(CANCEL, { id }, { token: await t.tokenFor("mallory", "customer") })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await t.gql(RESERVATION, { id }, { token: await t.tokenFor("mallory", "customer") })).data.reservation).toBeNull();
    expect(await my(id, await t.tokenFor("mallory", "customer"))).toBeNull();
    expect((await t.gql(CANCEL, { id })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    expect((await t.gql(CANCEL, { id }, { token })).data.cancelReservation.status).toBe("CANCELLED");
    const twice = await t.gql(CANCEL, { id }, { token });
    expect(twice.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(twice.errors?.[0]?.message).toMatch(/already cancelled/);

    const s = await bookableScreening(t);
    const declined = await reserve(t, "wendy", { screeningId: s.id, seats: ["B-1"], paymentToken: "tok_chargeDeclined" });
    const [failed] = await t.sql("reservation", `SELECT id FROM reservation WHERE customer_id = 'wendy' AND status = 'FAILED'`);
    expect(declined.errors?.[0]?.extensions?.code).toBe("PAYMENT_DECLINED");
    expect((await t.gql(CANCEL, { id: failed.id }, { token })).errors?.[0]?.extensions?.code).toBe("CONFLICT");

    const late = await book("xavier");
    await t.sql("reservation", `UPDATE reservation SET screening_starts_at = now() - interval '1 minute' WHERE id = $1`, [late.id]);
    const started = await t.gql(CANCEL, { id: late.id }, { token: late.token });
    expect(started.errors?.[0]?.extensions?.code).toBe("CANCELLATION_CLOSED");
    expect(started.errors?.[0]?.message).toMatch(/already started/);
    // Staff may cancel any booking.
    const other = await book("yara");
    expect((await t.gql(CANCEL, { id: other.id }, { token: await t.tokenFor("staff", "admin") })).data.cancelReservation.status).toBe("CANCELLED");
  });

  it("still cancels while payment is down; the refund and the release happen exactly once after it returns", async () => {
    const { id, token, screening } = await book("zoe");
    await t.stack.stop("payment");
    try {
      const res = await t.gql(CANCEL, { id }, { token });
      expect(res.data?.cancelReservation?.status).toBe("CANCELLED");
      await new Promise((r) => setTimeout(r, 1500));
      expect(await seatStatuses(t, screening.id)).toMatchObject({ "A-1": "SOLD", "A-2": "SOLD" });
    } finally {
      await t.stack.start("payment");
    }
    await waitFor(async () => (await my(id, token))?.seatsReleased === true, { timeoutMs: 20_000 });
    expect(await t.sql("payment", `SELECT status FROM payment WHERE reservation_id = $1`, [id])).toEqual([{ status: "REFUNDED" }]);
    expect(await outboxCount("payment", "payment.refunded", id)).toBe(1);
    expect(await outboxCount("seat", "seat.released", id)).toBe(1);
    expect(await seatStatuses(t, screening.id)).toMatchObject({ "A-1": "AVAILABLE", "A-2": "AVAILABLE" });
  });

  it("applies a redelivered event once: one refund, one release, one history line", async () => {
    const { id, token } = await book("amy");
    await t.gql(CANCEL, { id }, { token });
    await waitFor(async () => (await my(id, token))?.seatsReleased === true, { timeoutMs: 15_000 });

    // Deliver the same events again as a broker would after a lost ack: same event ids, new message ids.
    const nc = await connect({ servers: t.stack.natsUrl });
    try {
      const js = jetstream(nc);
      for (const [subgraph, type] of [["reservation", "reservation.cancelled"], ["payment", "payment.refunded"]] as const) {
        const [row] = await t.sql(subgraph, `SELECT payload FROM outbox_event WHERE type = $1 AND payload->>'aggregateId' = $2`, [type, id]);
        await js.publish(`${t.stack.eventsPrefix}.${type}`, JSON.stringify(row.payload), { msgID: randomUUID() });
      }
    } finally {
      await nc.close();
    }
    await new Promise((r) => setTimeout(r, 2000));
    expect(await outboxCount("payment", "payment.refunded", id)).toBe(1);
    expect(await outboxCount("seat", "seat.released", id)).toBe(1);
    const after = await my(id, token);
    expect(after.history.filter((h: { kind: string }) => h.kind === "REFUNDED")).toHaveLength(1);
  });
});

describe("my page (read model)", () => {
  it("applies an event that arrives before its booking once the booking arrives", async () => {
    const reservationId = randomUUID();
    const customerId = `early-${randomUUID().slice(0, 8)}`;
    const envelope = (type: string, data: object, aggregateVersion: number) => ({
      id: randomUUID(), type, schemaVersion: 1, occurredAt: new Date().toISOString(), aggregateId: reservationId, aggregateVersion, data,
    });
    const nc = await connect({ servers: t.stack.natsUrl });
    try {
      const js = jetstream(nc);
      const publish = (e: { id: string; type: string }) => js.publish(`${t.stack.eventsPrefix}.${e.type}`, JSON.stringify(e), { msgID: e.id });
      await publish(envelope("ticket.issued", { reservationId, customerId, ticketId: randomUUID(), code: "ABCD-EFGH-JKLM-NPQR" }, 2));
      await new Promise((r) => setTimeout(r, 3000)); // longer than every redelivery it could get
      await publish(envelope("reservation.confirmed", { reservationId, customerId, screeningId: randomUUID(), seats: ["C-3"], amountCents: 9000, currency: "KRW", paymentId: randomUUID() }, 2));
    } finally {
      await nc.close();
    }
    const token = await t.tokenFor(customerId, "customer");
    const row = await waitFor(async () => ((await my(reservationId, token))?.ticketStatus === "ISSUED" ? my(reservationId, token) : null), { timeoutMs: 10_000 });
    expect(row).toMatchObject({ status: "CONFIRMED", ticketCode: "ABCD-EFGH-JKLM-NPQR", seats: ["C-3"] });
    expect(row.history.map((h: { kind: string }) => h.kind).sort()).toEqual(["CONFIRMED", "TICKET_ISSUED"]);
    expect(await t.sql("mypage", `SELECT count(*)::int AS n FROM early_event`)).toEqual([{ n: 0 }]);
  });

  it("answers with the last state while reservation, payment and seat are stopped", async () => {
    const { id, token } = await book("bea");
    await waitFor(async () => (await my(id, token))?.ticketStatus === "ISSUED", { timeoutMs: 10_000 });
    for (const name of ["reservation", "payment", "seat"] as const) await t.stack.stop(name);
    try {
      const res = await t.gql(`{ myReservations(first: 10) { nodes { id status ticketStatus movieTitle seats } } }`, {}, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data.myReservations.nodes).toEqual([expect.objectContaining({ id, status: "CONFIRMED", ticketStatus: "ISSUED", seats: ["A-1", "A-2"] })]);
      expect(res.data.myReservations.nodes[0].movieTitle).toMatch(/Test movie/);
    } finally {
      for (const name of ["reservation", "payment", "seat"] as const) await t.stack.start(name);
    }
  });

  it("catches up after its own restart: 20 bookings made while it was down all appear, none twice", async () => {
    const s = await bookableScreening(t, { rows: 4, seatsPerRow: 10 });
    await t.stack.stop("mypage");
    const ids: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const res = await reserve(t, "cleo", { screeningId: s.id, seats: [`${"ABCD"[i % 4]}-${1 + Math.floor(i / 4)}`] });
        ids.push(res.data.reserve.id);
      }
    } finally {
      await t.stack.start("mypage");
    }
    const token = await t.tokenFor("cleo", "customer");
    const nodes = await waitFor(async () => {
      const res = await t.gql(`{ myReservations(first: 50) { nodes { id } hasNextPage } }`, {}, { token });
      return res.data?.myReservations?.nodes?.length === 20 ? res.data.myReservations.nodes : null;
    }, { timeoutMs: 20_000 });
    expect(new Set(nodes.map((n: { id: string }) => n.id))).toEqual(new Set(ids));
    // Pages of 7: newest first, no duplicates, no gaps.
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await t.gql(`query ($a: String) { myReservations(first: 7, after: $a) { nodes { id } endCursor hasNextPage } }`, { a: after }, { token })).data.myReservations;
      seen.push(...page.nodes.map((n: { id: string }) => n.id));
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    expect(seen).toEqual(nodes.map((n: { id: string }) => n.id));
  });
});
