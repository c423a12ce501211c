// The web app in real Chromium against a real stack: the gateway serves the built app (web/dist,
// built by `pretest`), the demo cinema is seeded through the API, and people click through it.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { SignJWT } from "jose";
import { seedDemo } from "../../scripts/seed.ts";
import { waitFor, type TestStack } from "../harness.ts";
import { reserve, seatStatuses } from "../fixtures.ts";
import { browserSuite, markDocument, screenshot, stillSameDocument } from "./browser.ts";

const suite = browserSuite();
let t: TestStack;
/** Seeded screenings nobody has touched yet (each test books on its own). */
const freshScreenings: { id: string; hall: string }[] = [];

beforeAll(async () => {
  t = suite.t;
  const staff = await t.tokenFor("staff", "admin");
  await seedDemo(t.stack.gatewayUrl, staff);
  const { data } = await t.gql(`{ movies { screenings { id auditorium { name } } } waitingRooms { screeningId enabled } }`, {}, { token: staff });
  // The seeded premiere is behind a waiting room (test/browser/waiting-room.test.ts goes through one).
  const queued = new Set(data.waitingRooms.filter((r: { enabled: boolean }) => r.enabled).map((r: { screeningId: string }) => r.screeningId));
  expect(queued.size).toBe(1);
  for (const movie of data.movies) for (const s of movie.screenings) if (!queued.has(s.id)) freshScreenings.push({ id: s.id, hall: s.auditorium.name });
});

const visitor = suite.visitor;
/** A seeded screening in a big hall (116 seats, one not for sale), used by one test only. */
function takeScreening(): string {
  const index = freshScreenings.findIndex((s) => s.hall.includes("Hall 1"));
  const [s] = freshScreenings.splice(index, 1);
  return s!.id;
}
const seat = (page: Page, label: string) => page.locator(`[data-seat="${label}"]`);
async function waitForSeatStatus(page: Page, label: string, status: string) {
  await page.locator(`[data-seat="${label}"][data-status="${status}"]`).waitFor();
}

describe("the web app", () => {
  it("signs in through the dev sign-in page, switches language, and shows staff pages only to staff", async () => {
    const { page, problems } = await visitor();
    await page.goto("/");
    await page.locator(".movie").first().waitFor();
    expect(await page.locator("nav a", { hasText: "Admin" }).count()).toBe(0);
    await screenshot(page, "movies");

    await page.getByRole("link", { name: "Sign in" }).click();
    await page.getByLabel("Name").fill("dana");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('[data-testid="who"]', { hasText: "dana" }).waitFor();
    expect(await page.locator("nav a", { hasText: "Admin" }).count()).toBe(0);
    await page.goto("/admin");
    await page.getByText("This page is for cinema staff").waitFor();

    // Korean at the press of a button, kept across reloads; English back the same way.
    await page.getByRole("button", { name: "Switch the language to Korean" }).click();
    await page.getByRole("heading", { level: 1, name: "영화관 관리" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("ko");
    await page.goto("/");
    await page.getByRole("heading", { level: 1, name: "상영 중인 영화" }).waitFor();
    await page.getByRole("button", { name: "언어를 영어로 바꾸기" }).click();
    await page.getByRole("heading", { level: 1, name: "Now showing" }).waitFor();

    // Staff sign in the same way and get the admin page.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.goto("/signin");
    await page.getByLabel("Name").fill("staff.kim");
    await page.getByLabel("Cinema staff (admin)").check();
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Cinema administration" }).waitFor();
    expect(problems).toEqual([]);
  });

  it("books two seats end to end (keyboard on the seat map) while a second visitor watches them turn SOLD live", async () => {
    const screeningId = takeScreening();
    // Seats already sold to someone else, so the map shows every state but "held".
    expect((await reserve(t, "early-bird", { screeningId, seats: ["D-6", "D-7", "E-6", "E-7"] })).errors).toBeUndefined();

    const watcher = await visitor(); // anonymous: the live seat map is public
    await watcher.page.goto(`/screenings/${screeningId}`);
    await waitForSeatStatus(watcher.page, "D-6", "SOLD");
    await watcher.page.locator('.live-badge[data-live="true"]').waitFor();
    await markDocument(watcher.page);

    const { page, problems } = await visitor({ user: `alice-${randomUUID().slice(0, 8)}` });
    await page.goto("/");
    await page.locator(`a[href="/screenings/${screeningId}"]`).click();
    await seat(page, "C-5").waitFor();
    // Keyboard: focus C-5, choose it with Space, move right with the arrow key, choose C-6 with Enter.
    await seat(page, "C-5").focus();
    await page.keyboard.press("Space");
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-seat"))).toBe("C-6");
    await page.keyboard.press("Enter");
    expect(await seat(page, "C-5").getAttribute("aria-pressed")).toBe("true");
    expect(await seat(page, "C-6").getAttribute("aria-label")).toBe("C-6 selected");
    expect(await seat(page, "D-6").getAttribute("aria-label")).toBe("D-6 sold");
    expect(await page.getByTestId("chosen-seats").textContent()).toBe("C-5, C-6");
    await screenshot(page, "seat-map");

    await page.getByLabel("Card").selectOption("tok_visa");
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
    // The ticket is issued off the confirmation event, a moment later: the page waits for it.
    const code = await page.getByTestId("ticket-code").textContent({ timeout: 30_000 });
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    await page.locator("img.qr").waitFor();
    await screenshot(page, "checkout-result");

    // The watcher's map changed without a reload.
    await waitForSeatStatus(watcher.page, "C-5", "SOLD");
    await waitForSeatStatus(watcher.page, "C-6", "SOLD");
    expect(await stillSameDocument(watcher.page)).toBe(true);
    expect(await watcher.page.getByTestId("available-count").textContent()).toBe("109 of 116 seats available");
    expect(await seatStatuses(t, screeningId)).toMatchObject({ "C-5": "SOLD", "C-6": "SOLD" });
    expect([...problems, ...watcher.problems]).toEqual([]);
  });

  it("cancels from my page after a confirmation step and shows the refund and released seats live", async () => {
    const screeningId = takeScreening();
    const user = `bora-${randomUUID().slice(0, 8)}`;
    const booked = await reserve(t, user, { screeningId, seats: ["F-3", "F-4"] });
    expect(booked.errors).toBeUndefined();
    const reservationId: string = booked.data.reserve.id;
    // Another booking of theirs, which stays: my page lists both.
    expect((await reserve(t, user, { screeningId: takeScreening(), seats: ["E-7", "E-8", "E-9"] })).errors).toBeUndefined();

    const watcher = await visitor();
    await watcher.page.goto(`/screenings/${screeningId}`);
    await waitForSeatStatus(watcher.page, "F-3", "SOLD");
    await watcher.page.locator('.live-badge[data-live="true"]').waitFor();

    const { page, problems } = await visitor({ user });
    await page.goto("/me");
    await page.locator(`[data-reservation="${reservationId}"]`).waitFor(); // mypage is fed by events
    await page.locator(".updates .live-badge[data-live='true']").waitFor();
    await page.locator(`[data-reservation="${reservationId}"] a`).click();
    await page.locator('[data-testid="history"] [data-kind="TICKET_ISSUED"]').waitFor({ timeout: 30_000 });
    await page.locator('.live-badge[data-live="true"]').waitFor();
    await markDocument(page);

    await page.getByRole("button", { name: "Cancel booking" }).click();
    await page.getByText("Cancel this booking? ₩").waitFor();
    // "Keep my booking" backs out; nothing changes.
    await page.getByRole("button", { name: "Keep my booking" }).click();
    expect(await page.getByTestId("reservation-status").textContent()).toBe("Confirmed");
    await page.getByRole("button", { name: "Cancel booking" }).click();
    await page.getByRole("button", { name: "Yes, cancel it" }).click();

    // Cancelled at once, then the refund and the seats' return arrive as live updates.
    await page.locator('[data-testid="reservation-status"] [data-status="CANCELLED"]').waitFor();
    await page.locator('[data-testid="payment-status"] [data-status="REFUNDED"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="history"] [data-kind="SEATS_RELEASED"]').waitFor({ timeout: 30_000 });
    expect(await stillSameDocument(page)).toBe(true);
    await screenshot(page, "my-page");
    await waitForSeatStatus(watcher.page, "F-3", "AVAILABLE");
    await waitForSeatStatus(watcher.page, "F-4", "AVAILABLE");

    // Back on the list: the booking is cancelled there too, and "Latest updates" kept the steps
    // that arrived while the details were open.
    await page.getByRole("link", { name: "← My bookings" }).click();
    await page.locator(`[data-reservation="${reservationId}"] [data-status="CANCELLED"]`).waitFor();
    const updates = await page.locator(".update-list").textContent();
    for (const step of ["Booking cancelled", "Payment refunded", "Seats back on sale"]) expect(updates).toContain(step);
    expect(await stillSameDocument(page)).toBe(true);
    await screenshot(page, "my-bookings");
    expect([...problems, ...watcher.problems]).toEqual([]);
  });

  it("shows a declined card's message, in English and Korean, and leaves the seats free", async () => {
    const screeningId = takeScreening();
    const { page, problems } = await visitor({ user: `chul-${randomUUID().slice(0, 8)}` });
    await page.goto(`/screenings/${screeningId}`);
    await seat(page, "A-1").click();
    await page.getByLabel("Card").selectOption("tok_chargeDeclined");
    await page.getByRole("button", { name: /^Pay/ }).click();
    const alert = page.locator('[role="alert"][data-code="PAYMENT_DECLINED"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Your card was declined. Nothing was charged; try another card.");
    await screenshot(page, "declined");
    await page.getByRole("button", { name: "Switch the language to Korean" }).click();
    expect(await alert.textContent()).toContain("카드가 거절되었습니다");
    expect((await seatStatuses(t, screeningId))["A-1"]).toBe("AVAILABLE");
    // The seat is still chosen: paying again with another card works (a new idempotency key).
    await page.getByLabel("카드").selectOption("tok_mastercard");
    await page.getByRole("button", { name: /결제$/ }).click();
    await page.getByRole("heading", { level: 1, name: "예매가 완료되었습니다" }).waitFor();
    expect(problems).toEqual([]);
  });

  it("drops a chosen seat that someone else buys meanwhile, says so, and books the rest", async () => {
    const screeningId = takeScreening();
    const { page, problems } = await visitor({ user: `dami-${randomUUID().slice(0, 8)}` });
    await page.goto(`/screenings/${screeningId}`);
    await page.locator('.live-badge[data-live="true"]').waitFor();
    await seat(page, "B-1").click();
    await seat(page, "B-2").click();
    expect(await page.getByTestId("chosen-seats").textContent()).toBe("B-1, B-2");
    expect((await reserve(t, "faster-fan", { screeningId, seats: ["B-2"] })).errors).toBeUndefined();
    await page.getByText("B-2 was just taken by someone else.").waitFor();
    expect(await page.getByTestId("chosen-seats").textContent()).toBe("B-1");
    expect(await seat(page, "B-2").getAttribute("aria-label")).toBe("B-2 sold");
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
    expect(await page.locator(".result dd", { hasText: /^B-1$/ }).count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it("asks to sign in again when the API refuses the token, then comes back", async () => {
    // Well-formed, unexpired, but not signed with the cinema's secret.
    const forged = await new SignJWT({ role: "customer" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("mallory")
      .setIssuer("cinema")
      .setAudience("cinema-api")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(randomUUID() + randomUUID()));
    const { page } = await visitor({ token: forged });
    await page.goto("/me");
    await page.getByText("Please sign in again.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect(await page.evaluate(() => localStorage.getItem("cinema.token"))).toBeNull();
    await page.getByLabel("Name").fill("mallory");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "My bookings" }).waitFor();
    await page.getByText("No bookings yet.").waitFor();
  });

  it("lets staff register a movie, an auditorium and a screening that customers then see", async () => {
    const { page, problems } = await visitor({ user: "staff", role: "admin" });
    const title = `Browser premiere ${randomUUID().slice(0, 6)}`;
    const hall = `3관 (Hall 3) ${randomUUID().slice(0, 4)}`;
    await page.goto("/admin");
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Summary").fill("Registered from the admin page in a real browser.");
    await page.getByLabel("Running time (minutes)").fill("97");
    await page.getByLabel("Rating").selectOption("AGE_12");
    await page.getByRole("button", { name: "Register movie" }).click();
    await page.getByText(`Registered “${title}”.`).waitFor();

    await page.getByLabel("Name", { exact: true }).fill(hall);
    await page.getByLabel("Rows").fill("4");
    await page.getByLabel("Seats per row").fill("6");
    await page.getByRole("button", { name: "Add auditorium" }).click();
    await page.getByText(`Added “${hall}” (24 seats).`).waitFor();

    // Seoul wall-clock time in the form; the API receives it with +09:00.
    const day = new Date(Date.now() + 9 * 3600_000 + 10 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("Movie", { exact: true }).selectOption({ label: title });
    await page.getByLabel("Auditorium", { exact: true }).selectOption({ label: `${hall} (24)` });
    await page.getByLabel("Starts at (Seoul time)").fill(`${day}T19:30`);
    await page.getByLabel("Price per seat (KRW)").fill("13000");
    await page.getByRole("button", { name: "Schedule screening" }).click();
    await page.getByText(`Scheduled “${title}” at`).waitFor();
    const { data } = await t.gql(`{ movies { title screenings { id startsAt priceCents } } }`);
    const screening = data.movies.find((m: { title: string }) => m.title === title).screenings[0];
    expect(screening).toMatchObject({ startsAt: `${day}T10:30:00.000Z`, priceCents: 13000 });

    // Occupancy, and the read-only seat map once the seat subgraph built it from the event.
    const row = page.locator(`tr[data-screening="${screening.id}"]`);
    await waitFor(async () => {
      await page.reload();
      return (await row.textContent({ timeout: 5_000 }))?.includes("24 / 24");
    });
    await screenshot(page, "admin");
    await row.getByRole("link", { name: "Seat map" }).click();
    await seat(page, "D-6").waitFor();
    expect(await seat(page, "D-6").getAttribute("aria-pressed")).toBeNull(); // read-only: not a toggle

    // A customer sees the new movie and its screening at 7:30 PM Seoul time.
    const customer = await visitor({ user: "erin" });
    await customer.page.goto("/");
    const card = customer.page.locator(`[data-movie="${title}"]`);
    await card.waitFor();
    expect(await card.locator(".chip-time").first().textContent()).toBe("7:30 PM");
    expect([...problems, ...customer.problems]).toEqual([]);
  });

  it("serves the offline GraphQL IDE at /ide: queries over HTTP, subscriptions over graphql-ws with the Authorization header", async () => {
    const user = `ide-${randomUUID().slice(0, 8)}`;
    const { page } = await visitor({ user }); // signed in to the app: the IDE's new tabs carry the token
    await page.goto("/ide");
    // Ready once Monaco shows the default query (and the headers editor holds the token).
    await page.locator(".graphiql-query-editor", { hasText: "query Program" }).waitFor();
    await page.locator(".graphiql-execute-button").click();
    await page.locator(".result-window", { hasText: "availableSeatCount" }).waitFor({ timeout: 30_000 });
    await screenshot(page, "ide");

    // A subscription that needs the token: it must travel in connectionParams.
    const editor = page.locator(".graphiql-query-editor .monaco-editor").first();
    await editor.click();
    await page.keyboard.press("ControlOrMeta+KeyA");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText("subscription Mine { myReservationsChanged { id status seats } }");
    // GraphiQL names the tab after the operation once it has parsed the new text; running before
    // that would send the old operation name.
    await page.locator(".graphiql-tab-active", { hasText: "Mine" }).waitFor();
    await page.locator(".graphiql-execute-button").click();
    // Book until the IDE shows it (the subscription starts a moment after the click).
    const screeningId = takeScreening();
    const seats = [["G-1"], ["G-2"], ["G-3"], ["G-4"]];
    await waitFor(async () => {
      const next = seats.shift();
      if (next) expect((await reserve(t, user, { screeningId, seats: next })).errors).toBeUndefined();
      // Monaco draws spaces as no-break spaces: \s matches both.
      return /"status":\s*"CONFIRMED"/.test((await page.locator(".result-window").textContent()) ?? "");
    }, { timeoutMs: 20_000, intervalMs: 1_000 }).catch(async (err) => {
      await screenshot(page, "ide-failure");
      const editor = await page.locator(".graphiql-query-editor").textContent();
      const result = await page.locator(".result-window").textContent();
      throw new Error(`${err}\nquery editor: ${editor}\nresult: ${result}\ngateway: ${t.stack.logs("gateway").slice(-3000)}`);
    });
  });
});
