// The dashboard's projection on its own (issue 16 follow-ups), and my page's where event order
// matters: events as their producers publish them, applied to a fresh mypage database through the
// same ReadModel.project the live consumers and the rebuild use, in stream order and in other orders. Covers a screening called off by staff
// and partial cancellations (reservation.seats-cancelled, payment.refunded with seats), whose
// producer is built separately; its end-to-end test goes through the gateway.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardCents, createEvent, type EventData, type EventEnvelope, type EventType, type PricedSeat } from "@cinema/platform/events";
import { migrate } from "@cinema/platform/migrate";
import { createDatabase, databaseUrl, dropDatabase, testInfra } from "../scripts/lib/infra.ts";
import { createMypageDb, type MypageDb } from "../subgraphs/mypage/data.ts";
import { DASHBOARD, MYPAGE } from "../subgraphs/mypage/read-models.ts";
import { dashboardFigures } from "../subgraphs/mypage/dashboard/figures.ts";

let serverUrl: string;
const dbs: { name: string; db: MypageDb }[] = [];
beforeAll(async () => {
  serverUrl = (await testInfra()).serverUrl;
});
afterAll(async () => {
  for (const { name, db } of dbs) {
    await db.$disconnect();
    await dropDatabase(serverUrl, name);
  }
});

async function freshDb(): Promise<MypageDb> {
  const name = `dashproj_${randomBytes(4).toString("hex")}`;
  await createDatabase(serverUrl, name);
  const url = databaseUrl(serverUrl, name);
  await migrate("mypage", url);
  const db = createMypageDb(url);
  dbs.push({ name, db });
  return db;
}

const ev = <T extends EventType>(type: T, data: EventData[T]) => createEvent(type, randomUUID(), data) as EventEnvelope<EventType>;
const line = (seat: string, priceCents: number, voucherCode?: string): PricedSeat => ({
  seat,
  seatClass: "STANDARD",
  ticketType: "ADULT",
  priceCents,
  items: [{ kind: "BASE", label: "Ticket", amountCents: priceCents }],
  ...(voucherCode && { voucherCode }),
});

/** A screening of 10 seats (one blocked in the layout: 9 for sale) at 10,000 won a seat. */
function screening(id = randomUUID()) {
  const seats = Array.from({ length: 10 }, (_, i) => ({
    label: `A-${i + 1}`, row: "A", number: i + 1, gridRow: 1, gridColumn: i + 1, seatClass: "STANDARD" as const, pairLabel: null, blocked: i === 9,
  }));
  const facts = { startsAt: "2026-12-24T10:00:00.000Z", movieTitle: "Projection", cinemaName: "CineMA Test", timeZone: "Asia/Seoul" };
  return {
    id,
    scheduled: ev("movie.screening-scheduled", {
      screeningId: id, movieId: randomUUID(), auditoriumId: randomUUID(), auditoriumName: "Hall 1", priceCents: 10000, currency: "KRW",
      rows: 1, seatsPerRow: 10, cinemaId: randomUUID(), seats, ...facts,
    }),
    cancelled: ev("movie.screening-cancelled", { screeningId: id, reason: "Projector failure", cancelledBy: "staff", ...facts }),
  };
}

function booking(screeningId: string, lines: PricedSeat[]) {
  const reservationId = randomUUID();
  const seats = lines.map((l) => l.seat);
  // As reservation publishes it: what the card paid (a voucher's seat is not in it).
  const amountCents = cardCents(lines);
  const who = { reservationId, customerId: "dash-unit", screeningId };
  return {
    id: reservationId,
    confirmed: ev("reservation.confirmed", { ...who, seats, amountCents, currency: "KRW", paymentId: randomUUID(), lines }),
    cancelled: ev("reservation.cancelled", { ...who, seats, amountCents, currency: "KRW", cancelledBy: "staff", reason: "SCREENING_CANCELLED" }),
    refunded: (cents: number) => ev("payment.refunded", { reservationId, customerId: "dash-unit", paymentId: randomUUID(), amountCents: cents, currency: "KRW" }),
    /** Some seats cancelled; `refundCents` is the card's part of them. */
    seatsCancelled: (cancel: string[], refundCents: number) => {
      const cancellationId = randomUUID();
      const kept = lines.filter((l) => !cancel.includes(l.seat));
      return {
        cancelled: ev("reservation.seats-cancelled", {
          ...who, cancellationId, seats: cancel, remainingSeats: kept.map((l) => l.seat), refundCents, amountCents: amountCents - refundCents,
          currency: "KRW", lines: kept, ticketCode: null, cancelledBy: "dash-unit", reason: "CUSTOMER",
        } as EventData["reservation.seats-cancelled"]),
        refunded: ev("payment.refunded", { reservationId, customerId: "dash-unit", paymentId: randomUUID(), amountCents: refundCents, currency: "KRW", seats: cancel, cancellationId }),
      };
    },
  };
}

const tables = (db: MypageDb) =>
  Promise.all([
    db.$queryRawUnsafe(`SELECT * FROM dashboard_screening ORDER BY screening_id`),
    db.$queryRawUnsafe(`SELECT * FROM dashboard_booking ORDER BY reservation_id`),
  ]);

/** Applies the events one batch each, in the order given. */
async function apply(db: MypageDb, events: EventEnvelope<EventType>[]) {
  for (const e of events) await DASHBOARD.project(db, [e]);
}

describe("dashboard projection", () => {
  it("shows a screening called off by staff as cancelled: nothing for sale or sold, revenue what was kept after refunds", async () => {
    const db = await freshDb();
    const s = screening();
    const other = screening();
    const alice = booking(s.id, [line("A-1", 10000), line("A-2", 10000)]);
    const bob = booking(s.id, [line("A-3", 10000)]);
    const carol = booking(other.id, [line("A-1", 10000)]);
    await apply(db, [s.scheduled, other.scheduled, alice.confirmed, bob.confirmed, carol.confirmed]);
    expect((await dashboardFigures(db, "SCREENING")).find((r) => r.key === s.id)).toMatchObject({ seatsSold: 3, seatsForSale: 9, cancelledScreenings: 0, revenueCents: 30000 });

    // Called off: at once nothing is for sale or sold; the money stays until each refund arrives.
    await apply(db, [s.cancelled]);
    expect((await dashboardFigures(db, "SCREENING")).find((r) => r.key === s.id)).toMatchObject({ cancelledScreenings: 1, seatsSold: 0, seatsForSale: 0, occupancy: 0, revenueCents: 30000 });
    await apply(db, [alice.cancelled, bob.cancelled, alice.refunded(20000)]);
    expect((await dashboardFigures(db, "SCREENING")).find((r) => r.key === s.id)).toMatchObject({ bookings: 2, cancellations: 2, revenueCents: 10000 });
    await apply(db, [bob.refunded(10000)]);
    const rows = await dashboardFigures(db, "SCREENING");
    expect(rows.find((r) => r.key === s.id)).toMatchObject({ screenings: 1, cancelledScreenings: 1, seatsSold: 0, seatsForSale: 0, occupancy: 0, bookings: 2, cancellations: 2, revenueCents: 0 });
    // The cinema's figures: only the other screening's seats are for sale.
    expect(await dashboardFigures(db, "CINEMA")).toEqual(
      expect.arrayContaining([expect.objectContaining({ screenings: 1, cancelledScreenings: 1, seatsForSale: 0 }), expect.objectContaining({ screenings: 1, cancelledScreenings: 0, seatsSold: 1, seatsForSale: 9, revenueCents: 10000 })]),
    );
  });

  it("keeps a cancellation that arrives before the screening's own event out of the figures, then applies it", async () => {
    const db = await freshDb();
    const s = screening();
    await apply(db, [s.cancelled]);
    expect(await dashboardFigures(db, "SCREENING")).toEqual([]);
    await apply(db, [s.scheduled]);
    expect(await dashboardFigures(db, "SCREENING")).toEqual([
      expect.objectContaining({ key: s.id, label: "Projection · Hall 1", cinemaName: "CineMA Test", day: "2026-12-24", cancelledScreenings: 1, seatsForSale: 0, currency: "KRW" }),
    ]);
  });

  it("counts partial cancellations: sold seats fall by the seats cancelled, revenue by each refund; a voucher's seat is not money taken", async () => {
    const db = await freshDb();
    const s = screening();
    const dave = booking(s.id, [line("A-1", 10000), line("A-2", 10000), line("A-3", 10000), line("A-4", 10000, "GV-TEST-1")]);
    const first = dave.seatsCancelled(["A-1"], 10000);
    const second = dave.seatsCancelled(["A-2", "A-4"], 10000); // A-4's voucher is given back: no card money for it
    await apply(db, [s.scheduled, dave.confirmed]);
    expect((await dashboardFigures(db, "SCREENING"))[0]).toMatchObject({ seatsSold: 4, revenueCents: 30000 });
    await apply(db, [first.cancelled, first.refunded]);
    expect((await dashboardFigures(db, "SCREENING"))[0]).toMatchObject({ seatsSold: 3, seatsForSale: 9, bookings: 1, cancellations: 0, revenueCents: 20000 });
    await apply(db, [second.cancelled]);
    expect((await dashboardFigures(db, "SCREENING"))[0]).toMatchObject({ seatsSold: 1, revenueCents: 20000 });
    await apply(db, [second.refunded]);
    expect((await dashboardFigures(db, "SCREENING"))[0]).toMatchObject({ seatsSold: 1, revenueCents: 10000 });
    // The rest cancelled later: its refund is what was left.
    await apply(db, [dave.cancelled, dave.refunded(10000)]);
    expect((await dashboardFigures(db, "SCREENING"))[0]).toMatchObject({ seatsSold: 0, bookings: 1, cancellations: 1, revenueCents: 0 });
  });

  it("keeps the newest count of seats for sale as staff block and open seats, in any order, even before the screening's own event", async () => {
    const s = screening();
    const change = (version: number, forSale: number) =>
      createEvent("seat.seats-blocked", s.id, { screeningId: s.id, labels: ["A-1"], blocked: forSale < 9, forSale }, version) as EventEnvelope<EventType>;
    const inOrder = await freshDb();
    await apply(inOrder, [s.scheduled, change(1, 7), change(2, 8)]);
    expect(await dashboardFigures(inOrder, "SCREENING")).toEqual([expect.objectContaining({ key: s.id, seatsForSale: 8 })]);
    const late = await freshDb();
    await apply(late, [change(2, 8), change(1, 7)]);
    expect(await dashboardFigures(late, "SCREENING")).toEqual([]); // not shown before the screening's own event
    await apply(late, [s.scheduled]);
    expect(await tables(late)).toEqual(await tables(inOrder));
  });

  it("ends in the same rows whatever order the events arrive in, and however often (as a rebuild replays them)", async () => {
    const s = screening();
    const erin = booking(s.id, [line("A-1", 10000), line("A-2", 10000), line("A-3", 10000)]);
    const frank = booking(s.id, [line("A-5", 10000)]);
    const p1 = erin.seatsCancelled(["A-1"], 10000);
    const p2 = erin.seatsCancelled(["A-2"], 10000);
    const inStreamOrder = [s.scheduled, erin.confirmed, frank.confirmed, p1.cancelled, p1.refunded, p2.cancelled, p2.refunded, s.cancelled, frank.cancelled, erin.cancelled, frank.refunded(10000), erin.refunded(10000)];
    const stream = await freshDb();
    await apply(stream, inStreamOrder);
    const shuffled = await freshDb();
    await apply(shuffled, [...inStreamOrder].reverse());
    await apply(shuffled, [p2.refunded, s.cancelled, erin.confirmed].map((e) => ({ ...e, id: randomUUID() }))); // the same facts published again
    await DASHBOARD.project(shuffled, inStreamOrder); // redelivered as one batch: each applied at most once
    // A refund arriving twice (a new event id for the same partial cancellation) counts once.
    expect(await tables(shuffled)).toEqual(await tables(stream));
    expect(await dashboardFigures(shuffled, "SCREENING")).toEqual([expect.objectContaining({ cancelledScreenings: 1, seatsSold: 0, seatsForSale: 0, bookings: 2, cancellations: 2, revenueCents: 0 })]);
  });
});

describe("my page projection", () => {
  // Found by the fault suite (NATS leader killed): each event type has its own consumer, so a
  // booking's whole cancellation can be applied before the partial one that preceded it.
  it("shows a booking cancelled after some of its seats were, as it was when cancelled, whichever event arrives first", async () => {
    const s = screening();
    const lines = [line("A-1", 10000), line("A-2", 10000), line("A-3", 10000)];
    const b = booking(s.id, lines);
    const kept = lines.slice(0, 2);
    const confirmed = { ...b.confirmed, aggregateVersion: 2 };
    const partial = { ...b.seatsCancelled(["A-3"], 10000).cancelled, aggregateVersion: 3 };
    const cancelled = {
      ...ev("reservation.cancelled", { reservationId: b.id, customerId: "dash-unit", screeningId: s.id, seats: ["A-1", "A-2"], amountCents: 20000, currency: "KRW", lines: kept, cancelledBy: "dash-unit", reason: "CUSTOMER" }),
      aggregateVersion: 4,
    };
    for (const order of [[confirmed, partial, cancelled], [confirmed, cancelled, partial], [partial, cancelled, confirmed], [cancelled, partial, confirmed]]) {
      const db = await freshDb();
      for (const e of [s.scheduled, ...order]) await MYPAGE.project(db, [e]);
      expect(await db.$queryRawUnsafe(`SELECT seats, amount_cents, lines, reservation_status, version FROM my_reservation`), order.map((e) => e.type).join(" → ")).toEqual([
        { seats: ["A-1", "A-2"], amount_cents: 20000, lines: kept, reservation_status: "CANCELLED", version: 4 },
      ]);
    }
  });
});
