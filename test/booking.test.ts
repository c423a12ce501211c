// The spine through the gateway: staff set up a screening, customers book, every refusal is typed.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { liveSeatsFreedSubject } from "@cinema/platform/events";
import { startTestStack, type TestStack } from "./harness.ts";
import { availableSeats, bookableScreening, inDays, reserve, seatStatuses } from "./fixtures.ts";

let t: TestStack;
beforeAll(async () => {
  // Reservation remembers sold seats for 1 s here (2 s by default): the test below sees both ways a taken seat is refused.
  t = await startTestStack({ envFor: { reservation: { SOLD_SEATS_MEMORY_MS: "1000" } } });
});
afterAll(async () => {
  await t?.cleanup();
});

const paymentRows = (reservationId: string) => t.sql("payment", `SELECT status, amount_cents FROM payment WHERE reservation_id = $1`, [reservationId]);
const reservationsFor = (customer: string) => t.sql("reservation", `SELECT id, status FROM reservation WHERE customer_id = $1`, [customer]);

describe("staff administration", () => {
  it("lets an admin register a movie, a 5×10 auditorium and a screening, and refuses a customer", async () => {
    const admin = await t.tokenFor("staff", "admin");
    const customer = await t.tokenFor("alice", "customer");
    const movieInput = { title: "Parasite", summary: "A family of four", runtimeMinutes: 132, rating: "AGE_15" };
    const REGISTER = `mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id title runtimeMinutes rating } }`;

    const refused = await t.gql(REGISTER, { i: movieInput }, { token: customer });
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anonymous = await t.gql(REGISTER, { i: movieInput });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    const movie = await t.gql(REGISTER, { i: movieInput }, { token: admin });
    expect(movie.data.registerMovie).toMatchObject({ title: "Parasite", runtimeMinutes: 132, rating: "AGE_15" });

    const HALL = `mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id rows seatsPerRow capacity } }`;
    const hallInput = { name: `Hall ${randomUUID()}`, rows: 5, seatsPerRow: 10 };
    expect((await t.gql(HALL, { i: hallInput }, { token: customer })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const hall = await t.gql(HALL, { i: hallInput }, { token: admin });
    expect(hall.data.createAuditorium).toMatchObject({ rows: 5, seatsPerRow: 10, capacity: 50 });

    const SCHEDULE = `mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id startsAt priceCents currency onSale movie { title } } }`;
    const screeningInput = { movieId: movie.data.registerMovie.id, auditoriumId: hall.data.createAuditorium.id, startsAt: inDays(1), priceCents: 12000 };
    expect((await t.gql(SCHEDULE, { i: screeningInput }, { token: customer })).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const screening = await t.gql(SCHEDULE, { i: screeningInput }, { token: admin });
    expect(screening.data.scheduleScreening).toMatchObject({ priceCents: 12000, currency: "KRW", onSale: true, movie: { title: "Parasite" } });

    // The same hall cannot show two films at once.
    const clash = await t.gql(SCHEDULE, { i: screeningInput }, { token: admin });
    expect(clash.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.startsAt" });
    // And the seat map follows from the screening-scheduled event.
    const id = screening.data.scheduleScreening.id;
    await expect.poll(() => availableSeats(t, id), { timeout: 10_000 }).toBe(50);
    const seats = await seatStatuses(t, id);
    expect(Object.keys(seats)).toHaveLength(50);
    expect(seats["A-1"]).toBe("AVAILABLE");
    expect(seats["E-10"]).toBe("AVAILABLE");
  });

  it("refuses invalid admin input with BAD_USER_INPUT naming the field", async () => {
    const admin = await t.tokenFor("staff", "admin");
    const res = await t.gql(`mutation { createAuditorium(input: { name: "Too big", rows: 40, seatsPerRow: 10 }) { id } }`, {}, { token: admin });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.rows" });
    const past = await t.gql(
      `mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`,
      { i: { movieId: randomUUID(), auditoriumId: randomUUID(), startsAt: "2020-01-01T10:00:00+09:00", priceCents: 1000 } },
      { token: admin },
    );
    expect(past.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.startsAt" });
  });
});

describe("reserve", () => {
  it("books A-1 and A-2 with tok_visa: CONFIRMED, payment CAPTURED for the right amount, seats SOLD, 48 left", async () => {
    const s = await bookableScreening(t, { priceCents: 13000 });
    const res = await reserve(t, "alice", { screeningId: s.id, seats: ["A-1", "A-2"] });
    expect(res.errors).toBeUndefined();
    expect(res.data.reserve).toMatchObject({
      status: "CONFIRMED",
      seats: ["A-1", "A-2"],
      amountCents: 26000,
      currency: "KRW",
      payment: { status: "CAPTURED", amountCents: 26000 },
    });
    const seats = await seatStatuses(t, s.id);
    expect([seats["A-1"], seats["A-2"], seats["A-3"]]).toEqual(["SOLD", "SOLD", "AVAILABLE"]);
    expect(await availableSeats(t, s.id)).toBe(48);

    // The customer can read it back; someone else cannot even see that it exists.
    const READ = `query ($id: ID!) { reservation(id: $id) { id status payment { status } } }`;
    const mine = await t.gql(READ, { id: res.data.reserve.id }, { token: await t.tokenFor("alice", "customer") });
    expect(mine.data.reservation).toMatchObject({ status: "CONFIRMED", payment: { status: "CAPTURED" } });
    const theirs = await t.gql(READ, { id: res.data.reserve.id }, { token: await t.tokenFor("mallory", "customer") });
    expect(theirs.data.reservation).toBeNull();
  });

  it("refuses a seat someone else bought with SEAT_UNAVAILABLE, charging nothing and holding nothing", async () => {
    const s = await bookableScreening(t);
    expect((await reserve(t, "alice", { screeningId: s.id, seats: ["A-1", "A-2"] })).data.reserve.status).toBe("CONFIRMED");
    const noHolds = async () => expect((await t.sql("seat", `SELECT count(*)::int AS n FROM seat WHERE status = 'HELD'`, []))[0].n).toBe(0);

    // Right after the sale, reservation itself knows A-2 is sold: refused before anything is written.
    const fast = await reserve(t, "bob", { screeningId: s.id, seats: ["A-2", "A-3"] });
    expect(fast.errors?.[0]?.extensions).toMatchObject({ code: "SEAT_UNAVAILABLE", seats: ["A-2"] });
    expect(fast.errors?.[0]?.message).toMatch(/A-2/);
    expect(await reservationsFor("bob")).toEqual([]);

    // Once that memory has lapsed, the seat subgraph refuses: the attempt is recorded FAILED.
    await new Promise((r) => setTimeout(r, 1100));
    const res = await reserve(t, "bob-later", { screeningId: s.id, seats: ["A-2", "A-3"] });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "SEAT_UNAVAILABLE", seats: ["A-2"], soldSeats: ["A-2"] });
    expect(res.errors?.[0]?.message).toMatch(/A-2/);
    const [recorded] = await reservationsFor("bob-later");
    expect(recorded).toMatchObject({ status: "FAILED" });
    expect(await paymentRows(recorded.id)).toEqual([]);
    expect((await seatStatuses(t, s.id))["A-3"]).toBe("AVAILABLE");
    await noHolds();

    // A repeat of a recorded attempt still gets its first outcome, known sold seats or not.
    const again = await reserve(t, "alice", { screeningId: s.id, seats: ["A-1", "A-2"], idempotencyKey: (await t.sql("reservation", `SELECT idempotency_key FROM reservation WHERE customer_id = 'alice' AND screening_id = $1`, [s.id]))[0].idempotency_key });
    expect(again.errors).toBeUndefined();
    expect(again.data.reserve.status).toBe("CONFIRMED");
  });

  it("forgets a seat as sold when the seat subgraph announces it free again (another replica's cancellation), and asks the seat subgraph", async () => {
    const s = await bookableScreening(t);
    expect((await reserve(t, "gina", { screeningId: s.id, seats: ["E-1"] })).data.reserve.status).toBe("CONFIRMED");
    // What the seat subgraph announces when another replica's cancellation has released E-1.
    const nc = await connect({ servers: t.stack.natsUrl });
    try {
      nc.publish(liveSeatsFreedSubject(t.stack.eventsPrefix), JSON.stringify({ screeningId: s.id, labels: ["E-1"] }));
      await nc.flush();
    } finally {
      await nc.close();
    }
    await new Promise((r) => setTimeout(r, 200));
    // E-1 is still sold in truth: the seat subgraph refuses, so this attempt is recorded (a refusal from memory would not be).
    const res = await reserve(t, "hank", { screeningId: s.id, seats: ["E-1"] });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "SEAT_UNAVAILABLE", seats: ["E-1"], soldSeats: ["E-1"] });
    expect(await reservationsFor("hank")).toMatchObject([{ status: "FAILED" }]);
  });

  it.each([
    ["an empty seat list", { seats: [] }, "BAD_USER_INPUT", "input.seats"],
    ["a malformed seat label", { seats: ["A1"] }, "BAD_USER_INPUT", "input.seats.0"],
    ["a seat this hall does not have", { seats: ["Z-9"] }, "BAD_USER_INPUT", "input.seats"],
    ["the same seat twice", { seats: ["B-1", "B-1"] }, "BAD_USER_INPUT", "input.seats"],
    ["more than eight seats", { seats: ["C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7", "C-8", "C-9"] }, "BAD_USER_INPUT", "input.seats"],
    ["an unknown screening", { screeningId: "00000000-0000-4000-8000-000000000000" }, "NOT_FOUND", undefined],
    ["a screening id that is not an id", { screeningId: "42" }, "BAD_USER_INPUT", "input.screeningId"],
  ])("refuses %s with a typed error and never reaches payment", async (_name, override, code, field) => {
    const s = await bookableScreening(t, { rows: 3, seatsPerRow: 10 });
    const customer = `carol-${randomUUID()}`;
    const res = await reserve(t, customer, { screeningId: s.id, seats: ["B-2"], ...override });
    expect(res.status).toBeLessThan(500);
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    if (field) expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(res.errors?.[0]?.message).not.toMatch(/at .*\.ts|prisma|SELECT/i);
    for (const r of await reservationsFor(customer)) expect(await paymentRows(r.id)).toEqual([]);
    expect(await availableSeats(t, s.id)).toBe(30);
  });

  it("declines tok_chargeDeclined with PAYMENT_DECLINED and gives the seats back", async () => {
    const s = await bookableScreening(t);
    const res = await reserve(t, "dave", { screeningId: s.id, seats: ["C-1", "C-2"], paymentToken: "tok_chargeDeclined" });
    expect(res.errors?.[0]?.extensions?.code).toBe("PAYMENT_DECLINED");
    expect(res.errors?.[0]?.message).toMatch(/declined/i);
    const seats = await seatStatuses(t, s.id);
    expect([seats["C-1"], seats["C-2"]]).toEqual(["AVAILABLE", "AVAILABLE"]);
    const [r] = await reservationsFor("dave");
    expect(r.status).toBe("FAILED");
    expect(await paymentRows(r.id)).toEqual([{ status: "DECLINED", amount_cents: 24000 }]);
    // The seats can be bought straight away by someone else.
    expect((await reserve(t, "erin", { screeningId: s.id, seats: ["C-1", "C-2"] })).data.reserve.status).toBe("CONFIRMED");
  });

  it("returns the first outcome for a repeated idempotency key, even for a refusal", async () => {
    const s = await bookableScreening(t);
    const idempotencyKey = randomUUID();
    const first = await reserve(t, "frank", { screeningId: s.id, seats: ["D-1"], paymentToken: "tok_chargeDeclined", idempotencyKey });
    const again = await reserve(t, "frank", { screeningId: s.id, seats: ["D-1"], paymentToken: "tok_visa", idempotencyKey });
    expect(again.errors?.[0]?.extensions?.code).toBe("PAYMENT_DECLINED");
    expect(again.errors?.[0]?.message).toBe(first.errors?.[0]?.message);
    const reused = await reserve(t, "frank", { screeningId: s.id, seats: ["D-2"], idempotencyKey });
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.idempotencyKey" });
    // Keys are per customer: another customer's same key is a new booking.
    expect((await reserve(t, "grace", { screeningId: s.id, seats: ["D-1"], idempotencyKey })).data.reserve.status).toBe("CONFIRMED");
  });

  it("answers UNAUTHENTICATED for a booking without a token, and for a forged one", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 5 });
    const res = await t.gql(`mutation ($i: ReserveInput!) { reserve(input: $i) { id } }`, {
      i: { screeningId: s.id, seats: ["A-1"], paymentToken: "tok_visa", idempotencyKey: randomUUID() },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const forged = await t.gql(`{ movies { id } }`, {}, { token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0." });
    expect(forged.status).toBe(401);
    expect(forged.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("keeps internal mutations out of the public API", async () => {
    const res = await t.gql(`mutation { releaseSeats(reservationId: "00000000-0000-4000-8000-000000000000") }`, {}, { token: await t.tokenFor("staff", "admin") });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});
