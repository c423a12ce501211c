// Gift vouchers (관람권) in real Chromium: staff issue codes on the admin page and see them listed;
// a customer pays one seat with a code at checkout (the summary shows that seat paid by voucher and
// the card's smaller total), the booking goes through charged only the rest, and a code that cannot
// pay is explained in English and Korean before anything is booked.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { TestStack } from "../harness.ts";
import { layoutScreening } from "../fixtures.ts";
import { browserSuite, screenshot } from "./browser.ts";

const suite = browserSuite();
let t: TestStack;
beforeAll(() => {
  t = suite.t;
});

const CODE = /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/;
const seat = (page: Page, label: string) => page.locator(`[data-seat="${label}"]`);

async function issue(seatClass: string): Promise<string> {
  const res = await t.gql(`mutation ($i: IssueVouchersInput!) { issueVouchers(input: $i) { code } }`, { i: { seatClass, count: 1 } }, { token: await t.tokenFor("staff", "admin") });
  expect(res.errors).toBeUndefined();
  return res.data.issueVouchers[0].code;
}

describe("gift vouchers in the web app", () => {
  it("staff issue codes on the admin page and find them in the list", async () => {
    const { page, problems } = await suite.visitor({ user: "staff", role: "admin" });
    await page.goto("/admin");
    const section = page.getByTestId("admin-vouchers");
    await section.waitFor();
    await section.getByLabel("Seat class").selectOption("PREMIUM");
    await section.getByLabel("How many codes (1–1000)").fill("3");
    await section.getByLabel("Note (e.g. December promotion)").fill("Browser promotion");
    await section.getByRole("button", { name: "Issue codes" }).click();
    const issued = page.getByTestId("issued-codes");
    await issued.waitFor();
    const codes = ((await issued.locator("code").textContent()) ?? "").trim().split(/\s+/);
    expect(codes).toHaveLength(3);
    for (const code of codes) {
      expect(code).toMatch(CODE);
      await section.locator(`tr[data-voucher="${code}"][data-status="ACTIVE"]`).waitFor();
    }
    expect(await section.locator(`tr[data-voucher="${codes[0]}"]`).textContent()).toContain("Browser promotion");
    await screenshot(page, "admin-vouchers");
    expect(problems).toEqual([]);
  });

  it("a customer pays a seat with a voucher and the rest by card; a code that cannot pay is explained in both languages", async () => {
    const s = await layoutScreening(t, { layout: "SSSSSS\nPPPPPP" });
    const standard = await issue("STANDARD");
    const premiumOnly = await issue("PREMIUM");
    const customer = `hana-${randomUUID().slice(0, 8)}`;
    const { page, problems } = await suite.visitor({ user: customer });
    await page.goto(`/screenings/${s.id}`);
    await seat(page, "A-1").click();
    await seat(page, "A-2").click();
    await page.getByTestId("breakdown-total").waitFor();
    expect(await page.getByTestId("breakdown-total").textContent()).toBe("₩24,000");

    // A premium voucher for a standard seat: refused, said why, nothing applied.
    await page.getByLabel("Gift voucher for A-1 (optional)").fill(premiumOnly.toLowerCase());
    await page.getByRole("button", { name: "Apply" }).first().click();
    const refusal = page.locator('[role="alert"][data-code="VOUCHER_INVALID"][data-reason="WRONG_CLASS"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(`Voucher ${premiumOnly} pays for premium seats only.`);
    await page.getByRole("button", { name: "Switch the language to Korean" }).click();
    expect(await refusal.textContent()).toContain(`관람권 ${premiumOnly}은(는)`);
    expect(await refusal.textContent()).toContain("프리미엄석");
    await page.getByRole("button", { name: "언어를 영어로 바꾸기" }).click();

    // An unknown code, then the right one (typed in lower case without hyphens).
    await page.getByLabel("Gift voucher for A-1 (optional)").fill("ABCD-EFGH-JKLM");
    await page.getByRole("button", { name: "Apply" }).first().click();
    await page.locator('[role="alert"][data-reason="UNKNOWN"]').waitFor();
    await page.getByLabel("Gift voucher for A-1 (optional)").fill(standard.toLowerCase().replaceAll("-", ""));
    await page.getByRole("button", { name: "Apply" }).first().click();
    await page.getByTestId("voucher-applied-A-1").waitFor();
    expect(await page.getByTestId("voucher-summary").textContent()).toContain(`A-1: gift voucher ${standard} (−₩12,000)`);
    expect(await page.getByTestId("card-total").textContent()).toBe("₩12,000");
    await screenshot(page, "checkout-voucher");

    await page.getByRole("button", { name: "Pay ₩12,000" }).click();
    await page.getByTestId("ticket-code").waitFor({ timeout: 30_000 });
    const [booking] = await t.sql("reservation", `SELECT id, amount_cents, lines FROM reservation WHERE customer_id = $1 AND status = 'CONFIRMED'`, [customer]);
    expect(booking.amount_cents).toBe(12_000);
    expect(booking.lines.find((l: { seat: string }) => l.seat === "A-1").voucherCode).toBe(standard);
    expect(await t.sql("payment", `SELECT status FROM voucher WHERE code = $1`, [standard])).toEqual([{ status: "REDEEMED" }]);
    expect(problems).toEqual([]);
  });

  it("vouchers for every seat: no card is asked for", async () => {
    const s = await layoutScreening(t, { layout: "SSSSSS\nPPPPPP" });
    const code = await issue("PREMIUM");
    const customer = `min-${randomUUID().slice(0, 8)}`;
    const { page, problems } = await suite.visitor({ user: customer });
    await page.goto(`/screenings/${s.id}`);
    await seat(page, "B-3").click();
    await page.getByTestId("breakdown-total").waitFor();
    await page.getByLabel("Gift voucher for B-3 (optional)").fill(code);
    await page.getByLabel("Gift voucher for B-3 (optional)").press("Enter");
    await page.getByTestId("no-card").waitFor();
    expect(await page.getByLabel("Card").count()).toBe(0);
    await page.getByRole("button", { name: "Book with vouchers" }).click();
    await page.getByTestId("ticket-code").waitFor({ timeout: 30_000 });
    const [payment] = await t.sql("payment", `SELECT amount_cents, status, provider_ref FROM payment WHERE customer_id = $1`, [customer]);
    expect(payment).toEqual({ amount_cents: 0, status: "CAPTURED", provider_ref: null });
    expect(problems).toEqual([]);
  });
});
