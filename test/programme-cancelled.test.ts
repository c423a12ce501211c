// A screening staff called off stays in the customers' programme, marked cancelled and not on sale
// (with staff's words for them), instead of vanishing or looking bookable; booking it is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { availableSeats, createCinema, layoutScreening, plainStartsAt, reserve } from "./fixtures.ts";

let t: TestStack;
beforeAll(async () => {
  // The saga asks movie every time: a booking right after the cancellation hears about it.
  t = await startTestStack({ env: { SCREENING_CACHE_SECONDS: "0" } });
});
afterAll(async () => {
  await t?.cleanup();
});

const PROGRAMME = `query ($id: ID!, $date: LocalDate!) {
  cinema(id: $id) { screenings(date: $date) { id startsAt onSale status cancelReason availableSeatCount } }
}`;
const MOVIE = `query ($id: ID!) { movie(id: $id) { screenings { id onSale status cancelReason } } }`;
const CANCEL_SCREENING = `mutation ($id: ID!, $reason: String!) { cancelScreening(id: $id, reason: $reason) { id status } }`;
const dayIn = (iso: string, timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));

describe("the programme after a screening is cancelled", () => {
  it("lists the cancelled screening as CANCELLED, not on sale, with the reason, beside the day's others; booking it is refused", async () => {
    const cinema = await createCinema(t);
    const early = await layoutScreening(t, { layout: "SSSS", cinemaId: cinema.id, startsAt: plainStartsAt(4, 0) });
    const late = await layoutScreening(t, { layout: "SSSS", cinemaId: cinema.id, startsAt: plainStartsAt(4, 180) });
    expect((await reserve(t, "prog-ann", { screeningId: early.id, seats: ["A-1"] })).data?.reserve?.status).toBe("CONFIRMED");
    const admin = await t.tokenFor("staff", "admin");
    expect((await t.gql(CANCEL_SCREENING, { id: early.id, reason: "Projector failure" }, { token: admin })).data?.cancelScreening?.status).toBe("CANCELLED");
    await waitFor(async () => (await availableSeats(t, early.id)) === 0); // seat closed its seats

    // Anyone may read the programme: no token.
    const date = dayIn(plainStartsAt(4, 0), "Asia/Seoul");
    const programme = (await t.gql(PROGRAMME, { id: cinema.id, date })).data.cinema.screenings;
    expect(programme).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: early.id, status: "CANCELLED", onSale: false, cancelReason: "Projector failure", availableSeatCount: 0 }),
        expect.objectContaining({ id: late.id, status: "SCHEDULED", onSale: true, cancelReason: null, availableSeatCount: 4 }),
      ]),
    );
    // The movie's own list of coming screenings says the same.
    expect((await t.gql(MOVIE, { id: early.movieId })).data.movie.screenings).toEqual([{ id: early.id, onSale: false, status: "CANCELLED", cancelReason: "Projector failure" }]);

    const refused = await reserve(t, "prog-ben", { screeningId: early.id, seats: ["A-2"] });
    expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(refused.errors?.[0]?.message).toMatch(/cancelled by the cinema/);
  });
});
