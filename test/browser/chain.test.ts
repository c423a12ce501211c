// The cinema chain in real Chromium against a real stack (issue 15): a customer picks a cinema and
// a day, books a couple seat (both seats) with a youth ticket on one and sees the price breakdown at
// checkout and on the result; staff draw a hall with an aisle and a blocked seat in the admin form
// (with its live preview), schedule it, and a customer sees the aisle and the blocked seat.
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { repoRoot } from "@cinema/platform/config";
import { seedDemo } from "../../scripts/seed.ts";
import { startTestStack, waitFor, type TestStack } from "../harness.ts";
import { createCinema, layoutScreening } from "../fixtures.ts";
import { launchChromium, screenshot, visit, type Visitor } from "./browser.ts";

let t: TestStack;
let browser: Browser;
let baseUrl: string;
let staff: string;
const visitors: Visitor[] = [];
let cinema: { id: string; name: string };
let screening: { id: string };

/** The design's example hall (docs/cinema-chain.md), with one seat blocked (E-9). */
const HALL = ["....SSSSSSSS....", "...SSSSSSSSSS...", "SSS.PPPPPPPP.SSS", "SSS.PPPPPPPP.SSS", "Ww..SSSSSSXS..wW", "................", "CC.CC.CC.CC.CC.CC"].join("\n");
/** The Seoul calendar day `days` from now (YYYY-MM-DD). */
const seoulDay = (days: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(new Date(Date.now() + days * 86_400_000));
const won = (n: number) => new Intl.NumberFormat("en-US", { style: "currency", currency: "KRW" }).format(n);

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestStack(), launchChromium()]);
  baseUrl = t.stack.gatewayUrl.replace(/\/graphql$/, "");
  staff = await t.tokenFor("staff", "admin");
  await seedDemo(t.stack.gatewayUrl, staff); // other cinemas in the list, as customers see it
  cinema = await createCinema(t, { name: `CineMA Chain Test ${randomUUID().slice(0, 4)}`, address: "1 Test-ro, Seoul" });
  screening = await layoutScreening(t, { layout: HALL, cinemaId: cinema.id, startsAt: `${seoulDay(1)}T19:30:00+09:00`, priceCents: 12000 });
});
afterAll(async () => {
  await Promise.all(visitors.map((v) => v.context.close().catch(() => {})));
  await browser?.close();
  await t?.cleanup();
});

async function visitor(opts: { user?: string; role?: "customer" | "admin" } = {}): Promise<Visitor> {
  const token = opts.user ? await t.tokenFor(opts.user, opts.role ?? "customer") : undefined;
  const v = await visit(browser, baseUrl, { token });
  visitors.push(v);
  return v;
}
const seat = (scope: Page | Locator, label: string) => scope.locator(`[data-seat="${label}"]`);
/** Screenshots for the README: taken like the others, then kept in docs/screenshots. */
async function readmeShot(page: Page, name: string) {
  const file = await screenshot(page, name);
  mkdirSync(path.join(repoRoot, "docs", "screenshots"), { recursive: true });
  copyFileSync(file, path.join(repoRoot, "docs", "screenshots", `${name}.png`));
}
/** The customer's way in: the cinema from the list, then a day of its week. */
async function openProgramme(page: Page, day: string) {
  await page.goto("/");
  await page.getByLabel("Cinema", { exact: true }).selectOption({ label: cinema.name });
  await page.locator(`.day-button[data-date="${day}"]`).click();
  await page.getByRole("heading", { level: 2, name: new RegExp(`^${cinema.name}, `) }).waitFor();
}

describe("the cinema chain in the browser", () => {
  it("a customer picks a cinema and a day, books a couple seat with a youth ticket, and sees the breakdown at checkout and on the result", async () => {
    const { page, problems } = await visitor({ user: `hana-${randomUUID().slice(0, 8)}` });
    await openProgramme(page, seoulDay(1));
    const chip = page.locator(`a[href="/screenings/${screening.id}"]`);
    expect(await chip.locator(".chip-time").textContent()).toBe("7:30 PM");
    await readmeShot(page, "cinema-programme");

    // Returning: the cinema is remembered.
    await page.reload();
    await page.locator(".day-button").first().waitFor();
    expect(await page.getByLabel("Cinema", { exact: true }).inputValue()).toBe(cinema.id);
    await openProgramme(page, seoulDay(1));
    await page.locator(`a[href="/screenings/${screening.id}"]`).click();

    // Classes are drawn and named: a couple seat with its partner, ♿, a companion, a blocked seat.
    await seat(page, "F-3").waitFor();
    expect(await seat(page, "F-3").getAttribute("aria-label")).toBe("F-3, couple seat with F-4, available");
    expect(await seat(page, "E-1").textContent()).toBe("♿");
    expect(await seat(page, "E-9").getAttribute("data-status")).toBe("BLOCKED");
    expect(await seat(page, "E-9").getAttribute("aria-disabled")).toBe("true");

    // A companion seat alone is refused, with the reason.
    await seat(page, "E-2").click();
    expect(await page.getByTestId("seat-note").textContent()).toContain("A companion seat is sold only with its wheelchair space: choose E-1 first");
    expect(await seat(page, "E-2").getAttribute("aria-pressed")).toBe("false");

    // One couple seat picks both (keyboard: Enter on F-3).
    await seat(page, "F-3").focus();
    await page.keyboard.press("Enter");
    expect(await seat(page, "F-3").getAttribute("aria-pressed")).toBe("true");
    expect(await seat(page, "F-4").getAttribute("aria-pressed")).toBe("true");
    expect(await page.getByTestId("chosen-seats").textContent()).toBe("F-3, F-4");
    await page.getByLabel("Ticket for F-4").selectOption("YOUTH");

    // The breakdown is the API's quote for exactly these tickets.
    const quote = await t.gql(`query ($id: ID!, $t: [QuoteTicketInput!]!) { screening(id: $id) { priceQuote(tickets: $t) { totalCents lines { seat priceCents } } } }`, {
      id: screening.id,
      t: [{ seat: "F-3", seatClass: "COUPLE", ticketType: "ADULT" }, { seat: "F-4", seatClass: "COUPLE", ticketType: "YOUTH" }],
    });
    const expected = quote.data.screening.priceQuote;
    const breakdown = page.getByTestId("breakdown");
    await breakdown.locator('[data-line="F-4"] [data-kind="TICKET_TYPE"]').waitFor();
    expect(await breakdown.locator('[data-line="F-4"] .breakdown-seat').textContent()).toContain("F-4 · couple seat · Youth");
    expect(await breakdown.locator('[data-line="F-3"] [data-kind="SEAT_CLASS"]').textContent()).toContain("Seat class: couple seat");
    expect(await page.getByTestId("breakdown-total").textContent()).toBe(won(expected.totalCents));
    await page.getByRole("button", { name: `Pay ${won(expected.totalCents)}` }).waitFor();
    await readmeShot(page, "checkout-breakdown");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
    await page.locator(".seat-panel").screenshot({ path: path.join(repoRoot, "docs", "screenshots", "seat-map-classes.png") });

    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
    expect(await page.getByTestId("cinema-name").textContent()).toBe(cinema.name);
    const result = page.getByTestId("breakdown");
    await result.locator('[data-line="F-4"]').waitFor();
    expect(await result.locator('[data-line="F-4"] .breakdown-seat').textContent()).toContain("F-4 · couple seat · Youth");
    expect(await page.getByTestId("breakdown-total").textContent()).toBe(won(expected.totalCents));
    await page.getByTestId("ticket-code").waitFor({ timeout: 30_000 });
    await readmeShot(page, "booking-result-breakdown");
    expect(problems).toEqual([]);
  });

  it("staff draw a hall with an aisle and a blocked seat (seeing the preview and the errors), schedule it, and a customer sees the aisle and the blocked seat", async () => {
    const { page, problems } = await visitor({ user: "staff.lee", role: "admin" });
    const hall = `5관 (Hall 5) ${randomUUID().slice(0, 4)}`;
    await page.goto("/admin");
    await page.getByLabel("Cinema to manage").selectOption({ label: cinema.name });
    await page.getByLabel("Name", { exact: true }).fill(hall);

    // A mistake first: the preview lists it at its row, line and column.
    const layout = page.getByLabel("Layout", { exact: true });
    await layout.fill("SSS.SSS\nSSC.SSS");
    const preview = page.getByTestId("layout-preview");
    await preview.getByTestId("layout-errors").getByText("Row B (line 2), column 3").waitFor();
    // Then the hall: an aisle after the third seat, B-5 blocked.
    await layout.fill("SSS.SSS\nSSS.SXS\nPPP.PPP");
    await preview.locator('[data-seat="B-5"][data-status="BLOCKED"]').waitFor();
    await preview.getByTestId("layout-errors").waitFor({ state: "detached" });
    expect(await preview.locator("h3").textContent()).toContain("18 seats");
    await page.getByRole("heading", { name: "Add an auditorium" }).scrollIntoViewIfNeeded();
    await readmeShot(page, "admin-layout-editor");
    await page.getByRole("button", { name: "Add auditorium" }).click();
    await page.getByText(`Added “${hall}” (18 seats).`).waitFor();

    // Schedule it, in the cinema's time (Seoul).
    const movie = await t.gql(`mutation { registerMovie(input: { title: "Aisle ${randomUUID().slice(0, 4)}", summary: "Seats either side.", runtimeMinutes: 90, rating: "ALL" }) { id title } }`, {}, { token: staff });
    await page.reload();
    await page.getByLabel("Cinema to manage").selectOption({ label: cinema.name });
    await page.getByLabel("Movie", { exact: true }).selectOption({ label: movie.data.registerMovie.title });
    await page.getByLabel("Auditorium", { exact: true }).selectOption({ label: `${hall} (18)` });
    await page.getByLabel("Starts at (Seoul time)").fill(`${seoulDay(2)}T18:00`);
    await page.getByLabel("Price per seat (KRW)").fill("10000");
    await page.getByRole("button", { name: "Schedule screening" }).click();
    await page.getByText(`Scheduled “${movie.data.registerMovie.title}” at`).waitFor();

    // The price rules editor (shown as staff see it).
    const rules = page.getByTestId("price-rules");
    await rules.getByLabel("Youth").waitFor();
    await rules.scrollIntoViewIfNeeded();
    await readmeShot(page, "admin-price-rules");
    expect(problems).toEqual([]);

    // The seat map is built from the scheduling event: wait until it is there.
    await waitFor(async () => {
      const { data } = await t.gql(`query ($id: ID!, $d: LocalDate!) { cinema(id: $id) { screenings(date: $d) { auditorium { name } seats { label } } } }`, { id: cinema.id, d: seoulDay(2) });
      return data?.cinema?.screenings.find((s: { auditorium: { name: string } }) => s.auditorium.name === hall)?.seats.length === 18;
    });

    // A customer: the aisle is a gap on the map, the blocked seat is drawn and cannot be chosen.
    const customer = await visitor({ user: `mina-${randomUUID().slice(0, 8)}` });
    await openProgramme(customer.page, seoulDay(2));
    await customer.page.locator(".screening-chip", { hasText: hall }).click();
    const map = customer.page.locator(".seatmap");
    await seat(map, "B-5").waitFor();
    expect(await seat(map, "B-5").getAttribute("data-status")).toBe("BLOCKED");
    await seat(map, "B-5").click();
    expect(await seat(map, "B-5").getAttribute("aria-pressed")).toBe("false");
    const box = async (label: string) => (await seat(map, label).boundingBox())!;
    const [a2, a3, a4] = [await box("A-2"), await box("A-3"), await box("A-4")];
    // Between lies the aisle: a whole seat's width more than between.
    expect(a4.x - a3.x).toBeGreaterThan((a3.x - a2.x) * 1.8);
    expect(customer.problems).toEqual([]);
  });
});
