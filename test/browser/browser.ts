// Real Chromium for the browser tests: the machine's (found or installed by scripts/lib/tools.ts)
// driven by playwright-core (which never downloads a browser). Playwright's launch() starts it on a fresh temporary profile
// (its own --user-data-dir) and deletes it on close; each context is a separate visitor.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { repoRoot } from "@cinema/platform/config";
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
