// The waiting room in real Chromium against a real stack: staff switch it on from the admin page; a
// customer opening the screening waits on the waiting page (Korean and English, the seed's message,
// place in line counting down live, progress, estimated wait), then chooses seats with the pass.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor, type TestStack } from "../harness.ts";
import { bookableScreening, reserve } from "../fixtures.ts";
import { browserSuite, screenshot } from "./browser.ts";

const suite = browserSuite({ envFor: { reservation: { WAITING_ROOM_TICK_MS: "250" } } });
let t: TestStack;
beforeAll(() => {
  t = suite.t;
});

const visitor = (user: string, role: "customer" | "admin" = "customer", locale = "en-US") => suite.visitor({ user, role, locale });
const JOIN = `mutation ($s: ID!) { joinWaitingRoom(screeningId: $s) { number } }`;
const SET = `mutation ($i: SetWaitingRoomInput!) { setWaitingRoom(input: $i) { enabled ratePerSecond } }`;

describe("the waiting room in the browser", () => {
  it("staff switch it on; a customer waits in line (ko/en, live), then books with the pass", async () => {
    const s = await bookableScreening(t, { rows: 2, seatsPerRow: 8 });
    const admin = await t.tokenFor("staff", "admin");

    // Staff: the switch in the admin page's occupancy table, a slow rate so a line forms.
    const staff = await visitor("staff.lee", "admin");
    await staff.page.goto("/admin");
    const row = staff.page.locator(`form[data-room="${s.id}"]`);
    await row.getByLabel("Waiting room on").check();
    await row.getByPlaceholder("Passes per second").fill("0.1");
    await row.getByRole("button", { name: "Save" }).click();
    await row.getByText("0 waiting").waitFor();
    expect((await t.gql(`query ($s: ID!) { waitingRoom(screeningId: $s) { enabled ratePerSecond } }`, { s: s.id })).data.waitingRoom).toEqual({ enabled: true, ratePerSecond: 0.1 });
    await screenshot(staff.page, "admin-waiting-room");

    // Without a pass the API refuses, whatever the page shows.
    expect((await reserve(t, "sneaky", { screeningId: s.id, seats: ["A-1"] })).errors?.[0]?.extensions?.code).toBe("WAITING_ROOM_REQUIRED");
    // Five customers are ahead in line.
    for (let i = 0; i < 5; i++) await t.gql(JOIN, { s: s.id }, { token: await t.tokenFor(`ahead-${i}-${randomUUID().slice(0, 6)}`) });

    const { page, problems } = await visitor(`minji-${randomUUID().slice(0, 8)}`, "customer", "ko-KR");
    await page.goto(`/screenings/${s.id}`);
    await page.getByTestId("waiting-room").waitFor();
    await page.getByText("접속자가 많아 기다리셔야 합니다.").waitFor();
    await page.getByText("대기 번호: 6").waitFor();
    const position = async () => Number(await page.getByTestId("waiting-position").textContent());
    expect(await position()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('[data-seat]').count()).toBe(0); // no seat map before the turn
    await page.locator('.live-badge[data-live="true"]').waitFor();
    await screenshot(page, "waiting-room-ko");
    await page.getByRole("button", { name: "언어를 영어로 바꾸기" }).click();
    await page.getByText("Many customers right now — please wait. (접속자가 많아 기다리셔야 합니다)").waitFor();
    await page.getByText("Your number: 6").waitFor();
    await screenshot(page, "waiting-room-en");

    // The line moves (2 per second): the place counts down live, then the seat map opens.
    const start = await position();
    expect((await t.gql(SET, { i: { screeningId: s.id, enabled: true, ratePerSecond: 2 } }, { token: admin })).errors).toBeUndefined();
    const seen = new Set<number>([start]);
    await waitFor(async () => {
      // The place may go away between two looks (the turn came): a short look, not the default 20 s wait.
      const now = await page.getByTestId("waiting-position").textContent({ timeout: 250 }).catch(() => null);
      if (now !== null) seen.add(Number(now));
      return page.locator('[data-seat="A-1"]').count();
    }, { timeoutMs: 20_000, intervalMs: 50 });
    expect(Math.min(...seen)).toBeLessThan(start); // it counted down on the page, not just jumped to the map
    await page.getByTestId("your-turn").waitFor();

    await page.locator('[data-seat="A-3"]').click();
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
    expect(problems).toEqual([]);
    expect(staff.problems).toEqual([]);
  }, 90_000);

  it("repeats a booking whose answer was lost with the SAME idempotency key, and gets the first outcome", async () => {
    const s = await bookableScreening(t, { rows: 1, seatsPerRow: 8 });
    const customer = `jiho-${randomUUID().slice(0, 8)}`;
    const { page, problems } = await visitor(customer);
    // The first reserve reaches the server (which books) but its answer never reaches the page.
    const keys: string[] = [];
    await page.route("**/graphql", async (route) => {
      const body = route.request().postDataJSON() as { operationName?: string; variables?: { input?: { idempotencyKey?: string } } } | null;
      if (body?.operationName !== "Reserve") return route.continue();
      keys.push(body.variables!.input!.idempotencyKey!);
      if (keys.length > 1) return route.continue();
      await route.fetch();
      await route.abort("failed");
    });
    await page.goto(`/screenings/${s.id}`);
    await page.locator('[data-seat="A-2"]').click();
    await page.getByRole("button", { name: /^Pay/ }).click();
    await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    // One booking, charged once: the repeat was answered with the first request's outcome.
    const mine = await t.sql("reservation", `SELECT status FROM reservation WHERE customer_id = $1`, [customer]);
    expect(mine).toEqual([{ status: "CONFIRMED" }]);
    expect(problems.filter((p) => !/ERR_FAILED/.test(p))).toEqual([]);
  });
});
