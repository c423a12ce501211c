// Real Chromium for the browser tests: the machine's (found or installed by scripts/lib/tools.ts)
// driven by playwright-core (which never downloads a browser). Playwright's launch() starts it on a fresh temporary profile
// (its own --user-data-dir) and deletes it on close; each context is a separate visitor.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { repoRoot } from "@cinema/platform/config";
import { startTestStack, type TestStack } from "../harness.ts";
import { chromium as chromiumPath } from "../../scripts/lib/tools.ts";

export const SCREENSHOTS = path.join(repoRoot, "test-artifacts", "screenshots");

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    // The background-networking flags keep Chromium off the (closed) internet: no update checks,
    // no sync, no QUIC probes that would be refused and retried during the tests.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Browser-side errors seen so far (uncaught exceptions, console errors): a test expects none. */
  problems: string[];
}

/** A new visitor (own cookies and localStorage) at `baseUrl`, signed in when a token is given. */
export async function visit(browser: Browser, baseUrl: string, opts: { token?: string; locale?: string } = {}): Promise<Visitor> {
  const context = await browser.newContext({ baseURL: baseUrl, locale: opts.locale ?? "en-US", viewport: { width: 1200, height: 800 } });
  if (opts.token) await context.addInitScript((token) => localStorage.getItem("cinema.token") ?? localStorage.setItem("cinema.token", token), opts.token);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    // A refused request (4xx) is logged by Chromium as a console error: those are the API's
    // answers under test, not page faults. Anything else is.
    if (msg.type() === "error" && !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.setDefaultTimeout(20_000);
  return { context, page, problems };
}

export interface BrowserSuite {
  t: TestStack;
  browser: Browser;
  /** The gateway's origin: the web app. */
  baseUrl: string;
  /** A new visitor, closed after the file's tests; signed in as `user` (with `role`), or with `token`, when given. */
  visitor(opts?: { user?: string; role?: "customer" | "admin"; locale?: string; token?: string }): Promise<Visitor>;
}

/**
 * What every browser test file sets up the same way: a test stack and Chromium, started together
 * before its tests (hooks the file registers after this call run after it), and its visitors, the
 * browser and the stack closed after them.
 */
export function browserSuite(stackOptions?: Parameters<typeof startTestStack>[0]): BrowserSuite {
  const visitors: Visitor[] = [];
  const suite = {
    async visitor(opts: { user?: string; role?: "customer" | "admin"; locale?: string; token?: string } = {}) {
      const token = opts.token ?? (opts.user ? await suite.t.tokenFor(opts.user, opts.role ?? "customer") : undefined);
      const v = await visit(suite.browser, suite.baseUrl, { token, locale: opts.locale });
      visitors.push(v);
      return v;
    },
  } as BrowserSuite;
  beforeAll(async () => {
    [suite.t, suite.browser] = await Promise.all([startTestStack(stackOptions), launchChromium()]);
    suite.baseUrl = suite.t.stack.gatewayUrl.replace(/\/graphql$/, "");
  });
  afterAll(async () => {
    await Promise.all(visitors.map((v) => v.context.close().catch(() => {})));
    await suite.browser?.close();
    await suite.t?.cleanup();
  });
  return suite;
}

/** Saves a screenshot of the viewport to test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // No hover or focus left over from the last click; let the last live update settle.
  await page.mouse.move(0, 799);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
  await page.waitForTimeout(150);
  await page.screenshot({ path: file });
  return file;
}

/** Marks the document; `stillSameDocument` is false after any reload or full navigation. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
}
export async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
}
