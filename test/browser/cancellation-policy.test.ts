// Issue 16 in real Chromium: my page says until when a booking can be cancelled and, past the
// cinema's cutoff, why it no longer can (English and Korean), also when the server refuses a
// cancellation the page still offered; staff call a screening off from its admin page and watch
// every booking cancelled and refunded; the customer's booking then says the cinema cancelled it.
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

const visitor = (user: string, opts: { role?: "customer" | "admin"; locale?: string } = {}) => suite.visitor({ user, ...opts });

/** A booking whose screening (as reservation keeps it) starts in `minutes`; my page has it. */
async function booking(customer: string, screeningId: string, seat: string, minutes: number) {
  const res = await reserve(t, customer, { screeningId, seats: [seat] });
  expect(res.errors).toBeUndefined();
  const id: string = res.data.reserve.id;
  await startsIn(id, minutes);
  const token = await t.tokenFor(customer);
  await waitFor(async () => (await t.gql(`query ($id: ID!) { myReservation(id: $id) { ticketStatus } }`, { id }, { token })).data?.myReservation?.ticketStatus === "ISSUED");
  return id;
}
const startsIn = (id: string, minutes: number) =>
  t.sql("reservation", `UPDATE reservation SET screening_starts_at = now() + make_interval(mins => $2) WHERE id = $1`, [id, minutes]);

describe("the cancellation cutoff on my page", () => {
  it("explains the cutoff before and after it, in English and Korean, and when the server refuses", async () => {
    const s = await bookableScreening(t, { rows: 2, seatsPerRow: 6 });
    const customer = `mina-${randomUUID().slice(0, 8)}`;
    const late = await booking(customer, s.id, "A-1", 10);
    const open = await booking(customer, s.id, "A-2", 60);
    const { page, problems } = await visitor(customer);

    // Inside the cinema's 20 minutes: no cancel button, the reason instead.
    await page.goto(`/me/${late}`);
    const closed = page.getByTestId("cancel-closed");
    await closed.waitFor();
    expect(await closed.textContent()).toMatch(/^Cancellation closed at .+: this cinema accepts cancellations until 20 minutes before the start\. Please ask the cinema's staff\.$/);
    expect(await page.getByRole("button", { name: "Cancel booking" }).count()).toBe(0);
    await screenshot(page, "cancel-closed-en");
    await page.getByRole("button", { name: "Switch the language to Korean" }).click();
    expect(await closed.textContent()).toMatch(/^취소 가능 시간\(.+\)이 지났습니다: 이 극장은 상영 시작 20분 전까지만 취소할 수 있습니다\./);
    await page.getByRole("button", { name: "언어를 영어로 바꾸기" }).click();

    // Before it: the button, and until when.
    await page.goto(`/me/${open}`);
    const until = page.getByTestId("cancel-until");
    await until.waitFor();
    expect(await until.textContent()).toMatch(/^You can cancel until .+ \(20 minutes before the start\)\.$/);

    // The cutoff passes while the page is open: the server refuses, and the page says why.
    await startsIn(open, 5);
    await page.getByRole("button", { name: "Cancel booking" }).click();
    await page.getByRole("button", { name: "Yes, cancel it" }).click();
    const refused = page.locator('[data-testid="cancel-closed"][role="alert"]');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/until 20 minutes before the start/);
    expect(await t.sql("reservation", `SELECT status FROM reservation WHERE id = $1`, [open])).toEqual([{ status: "CONFIRMED" }]);
    expect(problems).toEqual([]);
  });
});

describe("a screening cancelled by staff", () => {
  it("staff cancel it with a reason and watch the progress; the customer's booking says the cinema cancelled it", async () => {
    const s = await bookableScreening(t, { rows: 2, seatsPerRow: 6 });
    const customer = `jun-${randomUUID().slice(0, 8)}`;
    const ids = [await booking(customer, s.id, "A-1", 600), await booking(customer, s.id, "A-2", 600), await booking(`other-${customer}`, s.id, "B-1", 600)];

    const staff = await visitor("staff", { role: "admin" });
    await staff.page.goto(`/admin/screenings/${s.id}`);
    await staff.page.getByLabel("Reason (customers will read it)").fill("Projector failure");
    await staff.page.getByRole("button", { name: "Cancel screening" }).click();
    await staff.page.getByRole("button", { name: "Yes, cancel the screening" }).click();
    const progress = staff.page.getByTestId("cancel-progress");
    await waitFor(async () => (await progress.textContent()) === "Done: all 3 bookings cancelled and refunded.", { timeoutMs: 30_000 });
    expect(await staff.page.getByTestId("screening-cancellation").textContent()).toContain("This screening is cancelled: Projector failure");
    await screenshot(staff.page, "admin-screening-cancelled");
    expect(staff.problems).toEqual([]);

    const { page, problems } = await visitor(customer, { locale: "ko-KR" });
    await page.goto(`/me/${ids[0]}`);
    const note = page.getByTestId("screening-cancelled");
    await note.waitFor();
    expect(await note.textContent()).toBe("극장 사정으로 상영이 취소되었습니다. 예매가 취소되고 전액 환불되었습니다.");
    // Its seats are closed, not back on sale.
    await waitFor(async () => (await page.locator('[data-testid="history"] [data-kind="SEATS_RELEASED"] strong').textContent().catch(() => null)) === "좌석 닫힘 (상영 취소)");
    expect(problems).toEqual([]);
  });
});
