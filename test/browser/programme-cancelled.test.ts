// A screening the cinema cancelled, as customers see the programme in real Chromium: still listed,
// labelled cancelled (English and Korean) with the cinema's reason, and not a link to book.
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor, type TestStack } from "../harness.ts";
import { availableSeats, createCinema, layoutScreening } from "../fixtures.ts";
import { browserSuite, screenshot } from "./browser.ts";

const suite = browserSuite();
let t: TestStack;
beforeAll(() => {
  t = suite.t;
});

/** The Seoul calendar day `days` from now (YYYY-MM-DD). */
const seoulDay = (days: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(new Date(Date.now() + days * 86_400_000));

describe("the programme in the browser", () => {
  it("shows a cancelled screening as cancelled, with the reason, and offers no booking for it", async () => {
    const cinema = await createCinema(t, { name: "CineMA Cancelled (test)" });
    const day = seoulDay(2);
    const cancelled = await layoutScreening(t, { layout: "SSSS", cinemaId: cinema.id, startsAt: `${day}T15:00:00+09:00` });
    const open = await layoutScreening(t, { layout: "SSSS", cinemaId: cinema.id, startsAt: `${day}T19:30:00+09:00` });
    const staff = await t.tokenFor("staff", "admin");
    const res = await t.gql(`mutation ($id: ID!) { cancelScreening(id: $id, reason: "Projector failure") { status } }`, { id: cancelled.id }, { token: staff });
    expect(res.data?.cancelScreening?.status).toBe("CANCELLED");
    await waitFor(async () => (await availableSeats(t, cancelled.id)) === 0);

    const { page, problems } = await suite.visitor({ user: "prog-visitor" });
    await page.goto("/");
    await page.getByLabel("Cinema", { exact: true }).selectOption({ label: cinema.name });
    await page.locator(`.day-button[data-date="${day}"]`).click();
    const card = page.getByTestId("cancelled-screening");
    await card.waitFor();
    expect(await card.getAttribute("aria-label")).toMatch(/cancelled by the cinema, not bookable$/);
    expect(await card.locator(".badge").textContent()).toBe("Cancelled");
    expect(await card.textContent()).toContain("Projector failure");
    // Not offered: no link to its seat map; the other screening still is.
    expect(await page.locator(`a[href="/screenings/${cancelled.id}"]`).count()).toBe(0);
    await page.locator(`a[href="/screenings/${open.id}"]`).waitFor();
    await screenshot(page, "programme-cancelled-screening");

    await page.getByRole("button", { name: "Switch the language to Korean" }).click();
    await waitFor(async () => (await card.locator(".badge").textContent()) === "상영 취소");
    expect(await card.getAttribute("aria-label")).toMatch(/극장 사정으로 취소된 상영 \(예매 불가\)$/);

    // Before a cinema is chosen, every movie's coming screenings: the same label there.
    await page.getByLabel("영화관", { exact: true }).selectOption({ value: "" });
    await page.locator(`[data-testid="cancelled-screening"]`).first().waitFor();
    expect(await page.locator(`a[href="/screenings/${cancelled.id}"]`).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
