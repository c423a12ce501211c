// A slow payment processor: calls time out, the breaker opens and refuses in milliseconds with the
// seed's message; a saga killed mid-payment is finished by the reconciliation job once payment
// says it charged; nothing is charged for a booking that did not go through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, reserve, seatStatuses } from "./fixtures.ts";

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({
    envFor: {
      payment: { PAYMENT_SIM_LATENCY_MS: "1500" },
      reservation: {
        PAYMENT_TIMEOUT_MS: "1000",
        PAYMENT_BREAKER_VOLUME: "3",
        PAYMENT_BREAKER_RESET_MS: "2000",
        RESERVE_DEADLINE_SECONDS: "3",
        RECONCILE_INTERVAL_SECONDS: "1",
      },
    },
  });
});
afterAll(async () => {
  await t?.cleanup();
});

const health = async (port: number) => (await fetch(`http://127.0.0.1:${port}/health/ready`)).json();

describe("circuit breaker", () => {
  it("times out, then opens and refuses at once with a typed, bilingual message; nothing stays charged", async () => {
    const s = await bookableScreening(t, { rows: 2, seatsPerRow: 10 });
    const timings: { ms: number; code: string; message: string }[] = [];
    for (let i = 1; i <= 6; i++) {
      const started = Date.now();
      const res = await reserve(t, `slow-${i}`, { screeningId: s.id, seats: [`A-${i}`] });
      timings.push({ ms: Date.now() - started, code: res.errors?.[0]?.extensions?.code as string, message: res.errors?.[0]?.message ?? "" });
    }
    expect(timings.every((x) => x.code === "SERVICE_UNAVAILABLE"), JSON.stringify(timings)).toBe(true);
    // The first calls wait for the 1 s deadline; once open, the breaker answers at once, before
    // any seat is held (a fraction of the deadline even on a loaded machine).
    expect(timings[0]!.ms).toBeGreaterThanOrEqual(1000);
    const open = timings.slice(4);
    for (const x of open) {
      expect(x.ms).toBeLessThan(300);
      expect(x.message).toMatch(/접속자가 많아/);
      expect(x.message).toMatch(/try again shortly/);
    }
    expect((await health(t.stack.ports.reservation)).breakers.payment.state).toBe("open");

    // Seats are free again at once (seat is healthy); the bookings failed.
    const seats = await seatStatuses(t, s.id);
    for (let i = 1; i <= 6; i++) expect(seats[`A-${i}`]).toBe("AVAILABLE");
    const reservations = await t.sql("reservation", `SELECT status FROM reservation WHERE customer_id LIKE 'slow-%'`);
    expect(reservations.map((r) => r.status)).toEqual(Array(6).fill("FAILED"));

    // While the processor is slow, voids of late captures cannot finish (they are deferred, not
    // lost). Once it is fast again, the reconciliation job voids every one: nothing stays charged.
    await t.stack.stop("payment");
    const fastPayment = await t.stack.startExtra("payment", { port: t.stack.ports.payment, envOverrides: { PAYMENT_SIM_LATENCY_MS: "0" } });
    try {
      await waitFor(async () => {
        const open = await t.sql("reservation", `SELECT count(*)::int AS n FROM reservation WHERE customer_id LIKE 'slow-%' AND step <> 'COMPENSATED'`);
        return open[0].n === 0;
      }, { timeoutMs: 20_000 });
      expect(await t.sql("payment", `SELECT count(*)::int AS n FROM payment WHERE status = 'CAPTURED'`)).toEqual([{ n: 0 }]);
      expect((await health(t.stack.ports.reservation)).breakers.payment.state).toBe("closed");
    } finally {
      await fastPayment.stop();
      await t.stack.start("payment");
    }
  });
});

describe("reconciliation", () => {
  it("finishes a booking whose saga died mid-payment once payment says it was charged: confirmed, seats sold, charged once", async () => {
    // A fresh reservation process: its payment breaker is closed again.
    await t.stack.stop("reservation");
    await t.stack.start("reservation");
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 5 });
    const pending = reserve(t, "crash", { screeningId: s.id, seats: ["A-1", "A-2"] });
    // Seats held, the charge claimed and the processor charging (1.5 s): the saga dies now.
    await waitFor(async () => (await t.sql("payment", `SELECT status FROM payment WHERE customer_id = 'crash'`))[0]?.status === "PENDING", { timeoutMs: 5000, intervalMs: 20 });
    await t.stack.stop("reservation", "SIGKILL");
    expect((await pending).status).toBeGreaterThanOrEqual(200);
    expect(await t.sql("reservation", `SELECT status FROM reservation WHERE customer_id = 'crash'`)).toEqual([{ status: "PENDING" }]);

    await t.stack.start("reservation");
    const repaired = await waitFor(async () => {
      const [r] = await t.sql("reservation", `SELECT id, status, step, amount_cents, payment_id::text FROM reservation WHERE customer_id = 'crash'`);
      return r.status !== "PENDING" ? r : null;
    }, { timeoutMs: 20_000 });
    expect(repaired).toMatchObject({ status: "CONFIRMED", step: "COMPLETED" });
    const payments = await t.sql("payment", `SELECT id::text, status, amount_cents FROM payment WHERE reservation_id = $1`, [repaired.id]);
    expect(payments).toEqual([{ id: repaired.payment_id, status: "CAPTURED", amount_cents: repaired.amount_cents }]);
    expect(await seatStatuses(t, s.id)).toMatchObject({ "A-1": "SOLD", "A-2": "SOLD" });
  });

  it("runs on demand for staff only and reports what it repaired", async () => {
    const RUN = `mutation { reconcileReservations { completed failed compensated deferred } }`;
    expect((await t.gql(RUN, {}, { token: await t.tokenFor("eve", "customer") })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const res = await t.gql(RUN, {}, { token: await t.tokenFor("staff", "admin") });
    expect(res.errors).toBeUndefined();
    expect(res.data.reconcileReservations).toEqual({ completed: [], failed: [], compensated: [], deferred: [] });
  });
});
