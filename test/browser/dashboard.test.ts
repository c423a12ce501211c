// The staff dashboard in real Chromium against a real stack: the chart (chart.js on a canvas) and
// the table move by themselves when a customer books, the CSV downloads, a screening staff call off
// shows as cancelled, customers are kept out.
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor, type TestStack } from "../harness.ts";
import { createCinema, layoutScreening, reserve } from "../fixtures.ts";
import { browserSuite, screenshot } from "./browser.ts";

const suite = browserSuite();
let t: TestStack;
beforeAll(() => {
  t = suite.t;
});

const visitor = (user: string, role: "customer" | "admin" = "customer", locale = "en-US") => suite.visitor({ user, role, locale });

describe("the dashboard in the browser", () => {
  it("staff watch the chart and the table move when a customer books, download the figures as CSV, and see a screening they call off marked cancelled", async () => {
    const cinema = await createCinema(t, { name: "CineMA Dashboard" });
    const s = await layoutScreening(t, { layout: "SSSSSSSSSS\nSSSSSSSSSS", cinemaId: cinema.id, priceCents: 12000 });
    const other = await layoutScreening(t, { layout: "SSSSSSSSSS", cinemaId: cinema.id, priceCents: 10000 });
    expect((await reserve(t, "dash-early", { screeningId: other.id, seats: ["A-1", "A-2"] })).data.reserve.status).toBe("CONFIRMED");

    const { page, problems } = await visitor("staff.park", "admin");
    await page.goto("/admin/dashboard");
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.getByLabel("Cinema", { exact: true }).selectOption({ label: cinema.name });
    const row = page.locator(`tr[data-key="${s.id}"]`);
    await row.waitFor();
    await waitFor(async () => (await page.locator(`tr[data-key="${other.id}"] [data-field="seats"]`).textContent()) === "2 / 10");
    expect(await row.locator('[data-field="seats"]').textContent()).toBe("0 / 20");
    await page.locator('.live-badge[data-live="true"]').waitFor();

    const canvas = page.locator("canvas[data-revenue]");
    const drawn = () => canvas.evaluate((c: HTMLCanvasElement) => ({ revenue: JSON.parse(c.dataset.revenue!), occupancy: JSON.parse(c.dataset.occupancy!), pixels: c.toDataURL() }));
    const before = await drawn();
    const index = before.revenue.length === 2 ? (before.revenue[0] === 0 ? 0 : 1) : -1;
    expect(index).toBeGreaterThanOrEqual(0);
    expect(before.revenue[index]).toBe(0);
    await screenshot(page, "dashboard-before");

    // A customer books three seats; nobody touches the staff page.
    expect((await reserve(t, "dash-customer", { screeningId: s.id, seats: ["B-1", "B-2", "B-3"] })).data.reserve.status).toBe("CONFIRMED");
    await waitFor(async () => (await row.locator('[data-field="seats"]').textContent()) === "3 / 20", { timeoutMs: 15_000 });
    const after = await waitFor(async () => {
      const now = await drawn();
      return now.revenue[index] === 36000 ? now : null;
    });
    expect(after.occupancy[index]).toBe(15);
    expect(after.pixels).not.toBe(before.pixels); // the chart itself was redrawn
    expect(await row.locator('[data-field="revenue"]').textContent()).toBe("₩36,000");
    await screenshot(page, "dashboard-after-booking");

    // CSV: the same figures, as a file.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^dashboard-screening-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toMatch(/^screening_id,label,cinema,movie,day,starts_at_utc,/);
    expect(csv).toContain(`${s.id},`);
    expect(csv).toMatch(new RegExp(`${s.id},[^\\r\\n]*,1,0,3,20,0\\.1500,1,0,36000,KRW`));

    // Staff call the other screening off: its row says so, nothing for sale, its money refunded.
    const cancelled = await t.gql(`mutation ($id: ID!) { cancelScreening(id: $id, reason: "Projector failure") { status } }`, { id: other.id }, { token: await t.tokenFor("staff", "admin") });
    expect(cancelled.data?.cancelScreening?.status).toBe("CANCELLED");
    const otherRow = page.locator(`tr[data-key="${other.id}"]`);
    await otherRow.locator('[data-field="cancelled"]').waitFor({ timeout: 20_000 });
    expect(await otherRow.locator('[data-field="cancelled"]').textContent()).toBe("Cancelled");
    await waitFor(async () => (await otherRow.locator('[data-field="revenue"]').textContent()) === "₩0", { timeoutMs: 20_000 });
    expect(await otherRow.locator('[data-field="seats"]').textContent()).toBe("0 / 0");
    await screenshot(page, "dashboard-cancelled-screening");

    // In Korean too.
    await page.getByRole("button", { name: "Switch the language to Korean" }).click();
    await page.getByRole("heading", { level: 1, name: "대시보드" }).waitFor();
    await page.getByRole("button", { name: "CSV 내려받기" }).waitFor();
    expect(await otherRow.locator('[data-field="cancelled"]').textContent()).toBe("상영 취소");
    expect(problems).toEqual([]);
  });

  it("keeps customers out: no link, and the page says it is for staff", async () => {
    const { page } = await visitor("dash-visitor");
    await page.goto("/admin/dashboard");
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await page.getByRole("link", { name: "Dashboard" }).count()).toBe(0);
    expect(await page.locator("canvas").count()).toBe(0);
  });
});
