// Issue 16 in real Chromium: on my page a customer cancels one seat of a two-seat booking; the
// page says what will be refunded before asking, then shows the booking going on with one seat,
// a new ticket, the refund and the history, live (no reload).
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor, type TestStack } from "../harness.ts";
import { bookableScreening, reserve } from "../fixtures.ts";
import { browserSuite, screenshot } from "./browser.ts";

const suite = browserSuite();
let t: TestStack;
beforeAll(() => {
  t = suite.t;
});

describe("partial cancellation on my page", () => {
  it("cancels one seat of two: the refund said first, then one seat left on a new ticket, live", async () => {
    const s = await bookableScreening(t, { rows: 2, seatsPerRow: 6, priceCents: 11000 });
    const customer = `hana-${randomUUID().slice(0, 8)}`;
    const res = await reserve(t, customer, { screeningId: s.id, seats: ["A-3", "A-4"] });
    expect(res.errors).toBeUndefined();
    const id: string = res.data.reserve.id;
    const token = await t.tokenFor(customer);
    const MY = `query ($id: ID!) { myReservation(id: $id) { ticketStatus ticketCode seats refundedAmountCents } }`;
    const before = await waitFor(async () => {
      const r = (await t.gql(MY, { id }, { token })).data?.myReservation;
      return r?.ticketStatus === "ISSUED" ? r : null;
    });

    const { page, problems } = await suite.visitor({ user: customer });
    await page.goto(`/me/${id}`);
    const box = page.getByTestId("cancel-seats");
    await box.waitFor();
    await box.getByLabel("A-4").check();
    await box.getByRole("button", { name: "Cancel selected seats (1)" }).click();
    expect(await box.locator("#cancel-seats-text").textContent()).toBe("Cancel A-4? ₩11,000 will be refunded to your card; you keep A-3 on a new ticket.");
    await screenshot(page, "cancel-seats-confirm");
    await box.getByRole("button", { name: "Yes, cancel these seats" }).click();
    await page.getByRole("status").getByText("A-4 cancelled. The refund follows in a moment.").waitFor();

    // The page follows the booking live: one seat, a new ticket code, the refund, the history.
    await page.locator('[data-testid="history"] li[data-kind="SEATS_CANCELLED"]').waitFor();
    await page.locator('[data-testid="history"] li[data-kind="REFUNDED"]').waitFor();
    const after = (await t.gql(MY, { id }, { token })).data.myReservation;
    expect(after.seats).toEqual(["A-3"]);
    expect(after.ticketCode).not.toBe(before.ticketCode);
    expect(after.refundedAmountCents).toBe(11000);
    await page.locator("dd code", { hasText: after.ticketCode }).waitFor();
    // One seat left: nothing more to split.
    await waitFor(async () => (await page.getByTestId("cancel-seats").count()) === 0);
    await screenshot(page, "cancel-seats-done");
    expect(problems).toEqual([]);
  });
});
