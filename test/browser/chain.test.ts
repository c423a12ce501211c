// The cinema chain in real Chromium against a real stack (issue 15): a customer picks a cinema and
// a day, books a couple seat (both seats) with a youth ticket on one and sees the price breakdown at
// checkout and on the result; staff draw a hall with an aisle and a blocked seat in the admin form
// (with its live preview), schedule it, and a customer sees the aisle and the blocked seat.
import path from "node:path";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { seedDemo } from "../../scripts/seed.ts";
import { waitFor, type TestStack } from "../harness.ts";
import { createCinema } from "../fixtures.ts";
import { browserSuite, screenshot, SCREENSHOTS } from "./browser.ts";

const suite = browserSuite();
let t: TestStack;
let staff: string;
let cinema: { id: string; name: string };
let screening: { id: string };
const MOVIE = "The Night Projectionist";

/** The design's example hall (docs/cinema-chain.md), with one seat blocked (E-9). */
const HALL = ["....SSSSSSSS....", "...SSSSSSSSSS...", "SSS.PPPPPPPP.SSS", "SSS.PPPPPPPP.SSS", "Ww..SSSSSSXS..wW", "................", "CC.CC.CC.CC.CC.CC"].join("\n");
/** The Seoul calendar day `days` from now (YYYY-MM-DD). */
const seoulDay = (days: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(new Date(Date.now() + days * 86_400_000));
const won = (n: number) => new Intl.NumberFormat("en-US", { style: "currency", currency: "KRW" }).format(n);

beforeAll(async () => {
  t = suite.t;
  staff = await t.tokenFor("staff", "admin");
  await seedDemo(t.stack.gatewayUrl, staff); // other cinemas in the list, as customers see it
  cinema = await createCinema(t, { name: "CineMA Yeouido (test)", address: "10 Yeouidaero, Yeongdeungpo-gu, Seoul" });
  // A screening tomorrow evening in a hall drawn like the design's example.
  const movie = await t.gql(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, {
    i: { title: MOVIE, summary: "The last reel of a city cinema, seen from the booth.", runtimeMinutes: 112, rating: "AGE_12" },
  }, { token: staff });
  const hall = await t.gql(`mutation ($i: CreateAuditoriumInput!) { createAuditorium(input: $i) { id } }`, { i: { cinemaId: cinema.id, name: "Hall 1", layout: HALL } }, { token: staff });
  const scheduled = await t.gql(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
    i: { movieId: movie.data.registerMovie.id, auditoriumId: hall.data.createAuditorium.id, startsAt: `${seoulDay(1)}T19:30:00+09:00`, priceCents: 12000 },
  }, { token: staff });
  expect([movie.errors, hall.errors, scheduled.errors]).toEqual([undefined, undefined, undefined]);
  screening = scheduled.data.scheduleScreening;
  // The rest of tomorrow's programme, so the day looks like a cinema's.
  const other = await t.gql(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id } }`, {
    i: { title: "Song of the Sea", summary: "A grandmother teaches her grandson to dive off Jeju.", runtimeMinutes: 104, rating: "ALL" },
  }, { token: staff });
  const more = [
    { movieId: other.data.registerMovie.id, at: "09:30", priceCents: 11000 },
    { movieId: movie.data.registerMovie.id, at: "12:00", priceCents: 12000 },
    { movieId: other.data.registerMovie.id, at: "14:30", priceCents: 12000 },
    { movieId: movie.data.registerMovie.id, at: "17:00", priceCents: 12000 },
  ];
  for (const m of more) {
    const res = await t.gql(`mutation ($i: ScheduleScreeningInput!) { scheduleScreening(input: $i) { id } }`, {
      i: { movieId: m.movieId, auditoriumId: hall.data.createAuditorium.id, startsAt: `${seoulDay(1)}T${m.at}:00+09:00`, priceCents: m.priceCents },
    }, { token: staff });
    expect(res.errors).toBeUndefined();
  }
  await waitFor(async () => (await t.gql(`query ($id: ID!) { screening(id: $id) { seats { label } } }`, { id: screening.id })).data?.screening?.seats.length === 70);
});

const visitor = suite.visitor;
const seat = (scope: Page | Locator, label: string) => scope.locator(`[data-seat="${label}"]`);
/** Screenshots for the README, like the others: left in test-artifacts/screenshots, copied to docs/screenshots by hand. */
const readmeShot = screenshot;
/** The customer's way in: the cinema from the list, then a day of its week. */
async function openProgramme(page: Page, day: string) {
  await page.goto("/");
  await page.getByLabel("Cinema", { exact: true }).selectOption({ label: cinema.name });
  await page.locator(`.day-button[data-date="${day}"]`).click();
  await page.getByRole("heading", { level: 2, name: new RegExp(`^${cinema.name.replace(/[()]/g, "\\$&")}, `) }).waitFor();
}

describe("the cinema chain in the browser", () => {
  it("a customer picks a cinema and a day, books a couple seat with a youth ticket, and sees the breakdown at checkout and on the result", async () => {
    const { page, problems } = await visitor({ user: `hana-${randomUUID().slice(0, 8)}` });
    await openProgramme(page, seoulDay(1));
    const chip = page.locator(`a[href="/screenings/${screening.id}"]`);
    expect(await chip.locator(".chip-time").textContent()).toBe("7:30 PM");
    await readmeShot(page, "cinema-programme");
    // The days in Korean too.
    await page.getByRole("button", { name: "Switch the language to Korean" }).click();
    expect(await page.locator(`.day-button[data-date="${seoulDay(1)}"]`).textContent()).toContain("내일");
    await page.getByRole("button", { name: "언어를 영어로 바꾸기" }).click();

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
    const expected = quote.data.screening.priceQuote as { totalCents: number };
    const breakdown = page.getByTestId("breakdown");
    await breakdown.locator('[data-line="F-4"] [data-kind="TICKET_TYPE"]').waitFor();
    expect(await breakdown.locator('[data-line="F-4"] .breakdown-seat').textContent()).toContain("F-4 · couple seat · Youth");
    expect(await breakdown.locator('[data-line="F-3"] [data-kind="SEAT_CLASS"]').textContent()).toContain("Seat class: couple seat");
    expect(await page.getByTestId("breakdown-total").textContent()).toBe(won(expected.totalCents));
    await page.getByRole("button", { name: `Pay ${won(expected.totalCents)}` }).waitFor();
    await readmeShot(page, "checkout-breakdown");
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
    await page.locator(".seat-panel").screenshot({ path: path.join(SCREENSHOTS, "seat-map-classes.png") });

    // Staff raise the couple surcharge meanwhile: payment refuses the old total before charging,
    // and the page explains it with the new breakdown.
    const { data: current } = await t.gql(`query ($id: ID!) { cinema(id: $id) { priceRules { seatClasses { seatClass surchargeCents } ticketTypes { ticketType discountCents } timeRules { label days from until amountCents } } } }`, { id: cinema.id });
    const rules = current.cinema.priceRules;
    const raised = await t.gql(`mutation ($i: PriceRulesInput!) { setPriceRules(input: $i) { updatedAt } }`, {
      i: { cinemaId: cinema.id, ...rules, seatClasses: rules.seatClasses.map((c: { seatClass: string; surchargeCents: number }) => (c.seatClass === "COUPLE" ? { ...c, surchargeCents: c.surchargeCents + 1000 } : c)) },
    }, { token: staff });
    expect(raised.errors).toBeUndefined();
    await page.getByRole("button", { name: /^Pay/ }).click();
    const changed = page.locator('[role="alert"][data-code="PRICE_CHANGED"]');
    await changed.waitFor().catch(async (err) => {
      await screenshot(page, "price-changed-failure");
      const notices = await page.locator(".notice-error").evaluateAll((els) => els.map((e) => e.outerHTML));
      throw new Error(`${err}\nnotices: ${notices.join("\n")}\nreservation: ${t.stack.logs("reservation").slice(-2000)}`);
    });
    const newTotal = expected.totalCents + 2000;
    expect(await changed.textContent()).toContain(`The price changed since you looked: the total is now ${won(newTotal)}.`);
    await page.getByRole("button", { name: `Pay ${won(newTotal)}` }).waitFor();
    expect(await page.getByTestId("breakdown-total").textContent()).toBe(won(newTotal));
    await page.getByRole("button", { name: "Switch the language to Korean" }).click();
    expect(await changed.textContent()).toContain("가격이 바뀌어");
    await page.getByRole("button", { name: "언어를 영어로 바꾸기" }).click();
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
    expected.totalCents = newTotal;
    expect(await page.getByTestId("cinema-name").textContent()).toBe(cinema.name);
    const result = page.getByTestId("breakdown");
    await result.locator('[data-line="F-4"]').waitFor();
    expect(await result.locator('[data-line="F-4"] .breakdown-seat').textContent()).toContain("F-4 · couple seat · Youth");
    expect(await page.getByTestId("breakdown-total").textContent()).toBe(won(expected.totalCents));
    await page.getByTestId("ticket-code").waitFor({ timeout: 30_000 });
    await readmeShot(page, "booking-result-breakdown");

    // My page keeps the cinema and what each seat cost (fed by events: it may take a moment).
    await page.getByRole("link", { name: "Go to my bookings" }).click();
    await page.getByTestId("cinema-name").getByText(cinema.name).waitFor({ timeout: 20_000 });
    await page.getByTestId("breakdown").locator('[data-line="F-4"] [data-kind="TICKET_TYPE"]').waitFor();
    expect(await page.getByTestId("breakdown-total").textContent()).toBe(won(newTotal));
    expect(problems).toEqual([]);
  });

  it("staff draw a hall with an aisle and a blocked seat (seeing the preview and the errors), schedule it, and a customer sees the aisle and the blocked seat", async () => {
    const { page, problems } = await visitor({ user: "staff.lee", role: "admin" });
    const hall = `Hall 5 ${randomUUID().slice(0, 4)}`;
    await page.goto("/admin");
    await page.getByLabel("Cinema to manage").selectOption({ label: cinema.name });
    await page.getByLabel("Name", { exact: true }).fill(hall);

    // A mistake first: the preview lists it at its row, line and column.
    const layout = page.getByLabel("Layout", { exact: true });
    await layout.fill("SSSS.SSSS\nSSSC.SSSS");
    const preview = page.getByTestId("layout-preview");
    await preview.getByTestId("layout-errors").getByText("Row B (line 2), column 4").waitFor();
    // Then the hall: an aisle after the fourth seat, B-6 blocked, a wheelchair space with its
    // companion seat, couple seats at the back.
    await layout.fill("SSSS.SSSS\nSSSS.SXSS\nPPPP.PPPP\nWw.......\nCCCC.CCCC");
    await preview.locator('[data-seat="B-6"][data-status="BLOCKED"]').waitFor();
    await preview.getByTestId("layout-errors").waitFor({ state: "detached" });
    expect(await preview.locator("h3").textContent()).toContain("34 seats");
    await page.getByRole("heading", { name: "Add an auditorium" }).scrollIntoViewIfNeeded();
    await readmeShot(page, "admin-layout-editor");
    await page.getByRole("button", { name: "Add auditorium" }).click();
    await page.getByText(`Added “${hall}” (34 seats).`).waitFor();

    // Schedule it, in the cinema's time (Seoul).
    const movie = await t.gql(`mutation ($i: RegisterMovieInput!) { registerMovie(input: $i) { id title } }`, {
      i: { title: `Aisle ${randomUUID().slice(0, 4)}`, summary: "Seats either side.", runtimeMinutes: 90, rating: "ALL" },
    }, { token: staff });
    expect(movie.errors).toBeUndefined();
    await page.reload();
    await page.getByLabel("Cinema to manage").selectOption({ label: cinema.name });
    await page.getByLabel("Movie", { exact: true }).selectOption({ label: movie.data.registerMovie.title });
    await page.getByLabel("Auditorium", { exact: true }).selectOption({ label: `${hall} (34)` });
    await page.getByLabel("Starts at (Seoul time)").fill(`${seoulDay(2)}T18:00`);
    await page.getByLabel("Price per seat (KRW)").fill("10000");
    await page.getByRole("button", { name: "Schedule screening" }).click();
    await page.getByText(`Scheduled “${movie.data.registerMovie.title}” at`).waitFor();

    // The cinema's booking limit, in its settings.
    const settings = page.locator("form", { has: page.getByLabel("Seats per booking (1–20)") });
    await settings.getByLabel("Seats per booking (1–20)").fill("3");
    await settings.getByRole("button", { name: "Save" }).click();
    await settings.getByText("Saved.").waitFor();

    // The price rules editor: a morning discount added as a row, saved, and read back by the API.
    const rules = page.getByTestId("price-rules");
    await rules.getByLabel("Youth").waitFor();
    await rules.getByRole("button", { name: "Add a time rule" }).click();
    const rule = rules.locator('[data-time-rule="0"]');
    await rule.getByLabel("Label").fill("Morning (before 10:00)");
    await rule.getByLabel("Until").fill("10:00");
    await rule.getByLabel("Amount (KRW)").fill("-3000");
    await rules.getByRole("button", { name: "Save price rules" }).click();
    await rules.getByText("Price rules saved.").waitFor();
    const saved = await t.gql(`query ($id: ID!) { cinema(id: $id) { priceRules { timeRules { label days from until amountCents } } } }`, { id: cinema.id });
    expect(saved.data.cinema.priceRules.timeRules).toEqual([
      { label: "Morning (before 10:00)", days: ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"], from: "00:00", until: "10:00", amountCents: -3000 },
    ]);
    await rules.getByRole("heading", { name: "Price rules" }).scrollIntoViewIfNeeded();
    await readmeShot(page, "admin-price-rules");
    expect(problems).toEqual([]);

    // The seat map is built from the scheduling event: wait until it is there.
    const scheduledId = await waitFor(async () => {
      const { data } = await t.gql(`query ($id: ID!, $d: LocalDate!) { cinema(id: $id) { screenings(date: $d) { id auditorium { name } seats { label } } } }`, { id: cinema.id, d: seoulDay(2) });
      const found = data?.cinema?.screenings.find((s: { auditorium: { name: string } }) => s.auditorium.name === hall);
      return found?.seats.length === 34 ? (found.id as string) : null;
    });

    // A customer: the aisle is a gap on the map, the blocked seat is drawn and cannot be chosen.
    const customer = await visitor({ user: `mina-${randomUUID().slice(0, 8)}` });
    await openProgramme(customer.page, seoulDay(2));
    await customer.page.locator(".screening-chip", { hasText: hall }).click();
    const map = customer.page.locator(".seatmap");
    await seat(map, "B-6").waitFor();
    expect(await seat(map, "B-6").getAttribute("data-status")).toBe("BLOCKED");
    expect(await seat(map, "B-6").getAttribute("aria-label")).toBe("B-6 not for sale");
    await seat(map, "B-6").click({ force: true }); // aria-disabled: Playwright would wait for it to be enabled
    expect(await seat(map, "B-6").getAttribute("aria-pressed")).toBe("false");
    // The cinema's limit (3, set above) stops the fourth seat, and says why.
    for (const label of ["C-1", "C-2", "C-3", "C-4"]) await seat(map, label).click();
    expect(await customer.page.getByTestId("chosen-seats").textContent()).toBe("C-1, C-2, C-3");
    expect(await customer.page.getByTestId("seat-note").textContent()).toBe("This cinema sells up to 3 seats per booking.");
    await customer.page.getByRole("button", { name: "Switch the language to Korean" }).click();
    expect(await customer.page.getByTestId("seat-note").textContent()).toBe("이 영화관은 한 번에 최대 3석까지 예매할 수 있습니다.");
    await customer.page.getByRole("button", { name: "언어를 영어로 바꾸기" }).click();
    for (const label of ["C-1", "C-2", "C-3"]) await seat(map, label).click();
    const box = async (label: string) => (await seat(map, label).boundingBox())!;
    const [a3, a4, a5] = [await box("A-3"), await box("A-4"), await box("A-5")];
    // Between lies the aisle: a whole seat's width more than between.
    expect(a5.x - a4.x).toBeGreaterThan((a4.x - a3.x) * 1.8);
    await readmeShot(customer.page, "seat-map-aisle-blocked");

    // Staff block one more seat of this screening from the admin seat map; the customer's map
    // shows it at once (live), and it cannot be chosen.
    await customer.page.locator('.live-badge[data-live="true"]').waitFor();
    await page.goto(`/admin/screenings/${scheduledId}`);
    await page.getByRole("button", { name: "Block or open seats…" }).click();
    await seat(page, "A-1").click();
    await page.getByRole("button", { name: "Block chosen seats" }).click();
    await page.getByText("Seats updated: 1.").waitFor();
    await customer.page.locator('[data-seat="A-1"][data-status="BLOCKED"]').waitFor();
    expect(await seat(map, "A-1").getAttribute("aria-label")).toBe("A-1 not for sale");
    expect(customer.problems).toEqual([]);
  });
});
