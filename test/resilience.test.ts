// A subgraph down: reserve refuses quickly with SERVICE_UNAVAILABLE and charges nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "./harness.ts";
import { bookableScreening, reserve } from "./fixtures.ts";

let t: TestStack;
const SEAT_TIMEOUT_MS = 1500;
beforeAll(async () => {
  t = await startTestStack({ envFor: { reservation: { SEAT_TIMEOUT_MS: String(SEAT_TIMEOUT_MS) } } });
});
afterAll(async () => {
  await t?.cleanup();
});

describe("seat subgraph stopped", () => {
  it("answers SERVICE_UNAVAILABLE within the timeout, charges nothing, and books again once seat is back", async () => {
    const s = await bookableScreening(t);
    await t.stack.stop("seat");
    const started = Date.now();
    const res = await reserve(t, "ivan", { screeningId: s.id, seats: ["A-1"] });
    const elapsed = Date.now() - started;
    expect(res.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(res.errors?.[0]?.message).toMatch(/try again/i);
    expect(elapsed).toBeLessThan(SEAT_TIMEOUT_MS + 1000);
    expect(await t.sql("payment", `SELECT count(*)::int AS n FROM payment`, [])).toEqual([{ n: 0 }]);
    expect(await t.sql("reservation", `SELECT status, failure_code FROM reservation WHERE customer_id = 'ivan'`, [])).toEqual([
      { status: "FAILED", failure_code: "SERVICE_UNAVAILABLE" },
    ]);

    await t.stack.start("seat");
    const again = await reserve(t, "ivan", { screeningId: s.id, seats: ["A-1"] });
    expect(again.data?.reserve?.status).toBe("CONFIRMED");
  });
});
