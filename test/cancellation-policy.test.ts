// Issue 16: customers may cancel until the cinema's cutoff before the start (CGV's 20 minutes unless
// the cinema sets another); after it cancelReservation is refused with CANCELLATION_CLOSED, saying
// the cutoff and the deadline; staff may always cancel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./harness.ts";
import { createCinema, layoutScreening, reserve } from "./fixtures.ts";

let t: TestStack;
beforeAll(async () => {
  // The saga's screening cache off: a cutoff staff change applies to the next cancellation.
  t = await startTestStack({ env: { SCREENING_CACHE_SECONDS: "0" } });
});
afterAll(async () => {
  await t?.cleanup();
});

const CANCEL = `mutation ($id: ID!) { cancelReservation(id: $id) { id status cancelReason ticket { status } } }`;
const POLICY = `query ($id: ID!) { reservation(id: $id) { id cancelCutoffMinutes cancellableUntil } }`;
const CINEMA = `query ($id: ID!) { cinema(id: $id) { id cancelCutoffMinutes } }`;
const UPDATE_CINEMA = `mutation ($id: ID!, $i: UpdateCinemaInput!) { updateCinema(id: $id, input: $i) { id cancelCutoffMinutes } }`;
const HALL = "SSSSSSSS\nSSSSSSSS";

/** A booking of one seat in `cinemaId`, its screening moved (in reservation's copy) to start in `minutes`. */
async function bookingStartingIn(cinemaId: string, customer: string, minutes: number) {
  const s = await layoutScreening(t, { layout: HALL, cinemaId });
  const res = await reserve(t, customer, { screeningId: s.id, seats: ["A-1"] });
  expect(res.errors).toBeUndefined();
  const id: string = res.data.reserve.id;
  const startsAt = new Date(Date.now() + minutes * 60_000);
  // Reservation keeps the start it checked; the cutoff is counted from it.
  await t.sql("reservation", `UPDATE reservation SET screening_starts_at = $2 WHERE id = $1`, [id, startsAt]);
  return { id, startsAt, token: await t.tokenFor(customer, "customer") };
}

describe("the cinema's cancellation cutoff", () => {
  it("is 20 minutes unless staff set another, 0 to 1440, and staff change it in the cinema's settings", async () => {
    const admin = await t.tokenFor("staff", "admin");
    const plain = await createCinema(t);
    expect((await t.gql(CINEMA, { id: plain.id })).data.cinema.cancelCutoffMinutes).toBe(20);

    const bad = await t.gql(UPDATE_CINEMA, { id: plain.id, i: { cancelCutoffMinutes: 1441 } }, { token: admin });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.cancelCutoffMinutes" });
    expect((await t.gql(UPDATE_CINEMA, { id: plain.id, i: { cancelCutoffMinutes: -1 } }, { token: admin })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const customer = await t.gql(UPDATE_CINEMA, { id: plain.id, i: { cancelCutoffMinutes: 5 } }, { token: await t.tokenFor("eve", "customer") });
    expect(customer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const set = await t.gql(UPDATE_CINEMA, { id: plain.id, i: { cancelCutoffMinutes: 0 } }, { token: admin });
    expect(set.errors).toBeUndefined();
    expect(set.data.updateCinema.cancelCutoffMinutes).toBe(0);
    const created = await t.gql(`mutation ($i: CreateCinemaInput!) { createCinema(input: $i) { cancelCutoffMinutes } }`, {
      i: { name: `Cutoff ${Date.now()}`, address: "Seoul", timeZone: "Asia/Seoul", cancelCutoffMinutes: 45 },
    }, { token: admin });
    expect(created.data.createCinema.cancelCutoffMinutes).toBe(45);
  });

  it("refuses a customer's cancellation inside the default 20 minutes with the cutoff and the deadline; allows it before", async () => {
    const cinema = await createCinema(t);
    const late = await bookingStartingIn(cinema.id, "ann", 10);
    const refused = await t.gql(CANCEL, { id: late.id }, { token: late.token });
    expect(refused.data).toBeNull();
    const deadline = new Date(late.startsAt.getTime() - 20 * 60_000).toISOString();
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "CANCELLATION_CLOSED",
      cancelCutoffMinutes: 20,
      deadline,
      screeningStartsAt: late.startsAt.toISOString(),
    });
    expect(refused.errors?.[0]?.message).toMatch(/until 20 minutes before the start/);
    // Nothing changed: still confirmed, ticket valid, no event.
    expect(await t.sql("reservation", `SELECT status FROM reservation WHERE id = $1`, [late.id])).toEqual([{ status: "CONFIRMED" }]);
    expect(await t.sql("reservation", `SELECT count(*)::int AS n FROM outbox_event WHERE type = 'reservation.cancelled' AND payload->>'aggregateId' = $1`, [late.id])).toEqual([{ n: 0 }]);
    expect((await t.gql(POLICY, { id: late.id }, { token: late.token })).data.reservation).toMatchObject({ cancelCutoffMinutes: 20, cancellableUntil: deadline });

    const early = await bookingStartingIn(cinema.id, "ann", 30);
    const ok = await t.gql(CANCEL, { id: early.id }, { token: early.token });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.cancelReservation).toMatchObject({ status: "CANCELLED", cancelReason: "CUSTOMER", ticket: { status: "VOID" } });
  });

  it("follows the cinema's own cutoff, and a change of it applies to the next cancellation", async () => {
    const admin = await t.tokenFor("staff", "admin");
    const cinema = await createCinema(t);
    await t.gql(UPDATE_CINEMA, { id: cinema.id, i: { cancelCutoffMinutes: 60 } }, { token: admin });
    const b = await bookingStartingIn(cinema.id, "ben", 45);
    const refused = await t.gql(CANCEL, { id: b.id }, { token: b.token });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "CANCELLATION_CLOSED", cancelCutoffMinutes: 60 });

    await t.gql(UPDATE_CINEMA, { id: cinema.id, i: { cancelCutoffMinutes: 30 } }, { token: admin });
    const ok = await t.gql(CANCEL, { id: b.id }, { token: b.token });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.cancelReservation.status).toBe("CANCELLED");
  });

  it("refuses a started screening with the same code, and lets staff cancel any time, even after the start", async () => {
    const cinema = await createCinema(t);
    const started = await bookingStartingIn(cinema.id, "cid", -5);
    const refused = await t.gql(CANCEL, { id: started.id }, { token: started.token });
    expect(refused.errors?.[0]?.extensions?.code).toBe("CANCELLATION_CLOSED");
    expect(refused.errors?.[0]?.message).toMatch(/already started/);

    const admin = await t.tokenFor("staff", "admin");
    const byStaff = await t.gql(CANCEL, { id: started.id }, { token: admin });
    expect(byStaff.errors).toBeUndefined();
    expect(byStaff.data.cancelReservation).toMatchObject({ status: "CANCELLED", cancelReason: "STAFF" });
    const inside = await bookingStartingIn(cinema.id, "cid", 5);
    expect((await t.gql(CANCEL, { id: inside.id }, { token: admin })).data.cancelReservation.status).toBe("CANCELLED");
    // The event says who and why.
    const [event] = await t.sql("reservation", `SELECT payload FROM outbox_event WHERE type = 'reservation.cancelled' AND payload->>'aggregateId' = $1`, [inside.id]);
    expect(event.payload.data).toMatchObject({ reason: "STAFF", cancelledBy: "staff" });
  });

  it("applies the default cutoff while the movie subgraph is down, instead of refusing every cancellation", async () => {
    const admin = await t.tokenFor("staff", "admin");
    const cinema = await createCinema(t);
    await t.gql(UPDATE_CINEMA, { id: cinema.id, i: { cancelCutoffMinutes: 120 } }, { token: admin });
    const b = await bookingStartingIn(cinema.id, "dot", 60);
    await t.stack.stop("movie");
    try {
      const res = await t.gql(CANCEL, { id: b.id }, { token: b.token });
      expect(res.errors).toBeUndefined();
      expect(res.data.cancelReservation.status).toBe("CANCELLED");
    } finally {
      await t.stack.start("movie");
    }
  });
});
