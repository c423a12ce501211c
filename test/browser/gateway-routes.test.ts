// The gateway's own HTTP routes for the browser (gateway/src/web.ts, ide.ts, dev-login.ts) on a
// bare Express app with a stand-in build: which path gets the app, which stays the gateway's, and
// when the dev sign-in hands out tokens. No stack needed; app.test.ts covers the real thing.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type http from "node:http";
import express from "express";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

process.env.JWT_SECRET ??= randomBytes(32).toString("base64url");
process.env.LOG_LEVEL = "error"; // the "not built" warning below is expected here
const { verifyToken } = await import("@cinema/platform/auth");
const { mountDevLogin } = await import("../../gateway/src/dev-login.ts");
const { mountIde } = await import("../../gateway/src/ide.ts");
const { mountWeb } = await import("../../gateway/src/web.ts");

const dist = mkdtempSync(path.join(os.tmpdir(), "web-dist-"));
const servers: http.Server[] = [];

/** An app mounted like the gateway's: health first, then our routes, then /graphql. */
async function serve(env: Record<string, string> = {}): Promise<string> {
  // The routes read their configuration when mounted.
  vi.stubEnv("WEB_DIST", dist);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const app = express();
  app.get("/health/live", (_req, res) => void res.json({ status: "ok" }));
  mountDevLogin(app);
  mountIde(app);
  mountWeb(app);
  app.use("/graphql", (_req, res) => void res.type("text/plain").send("apollo"));
  vi.unstubAllEnvs();
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let base: string;
beforeAll(async () => {
  mkdirSync(path.join(dist, "assets"));
  mkdirSync(path.join(dist, "ide"));
  writeFileSync(path.join(dist, "index.html"), "<div id=root>the app</div>");
  writeFileSync(path.join(dist, "ide", "index.html"), "<div id=ide>the ide</div>");
  writeFileSync(path.join(dist, "assets", "app-1234.js"), "console.log(1)");
  base = await serve();
});
afterAll(() => {
  for (const server of servers) server.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (url: string, accept = "text/html") => fetch(url, { headers: { accept } });
const login = (url: string, body: unknown) =>
  fetch(`${url}/auth/dev-login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("serving the web app", () => {
  it("answers the app's routes with index.html, under a same-origin content security policy", async () => {
    for (const route of ["/", "/me", "/me/3f1c", "/screenings/abc?x=1", "/admin/screenings/1", "/idea", "/healthy"]) {
      const res = await get(base + route);
      expect(res.status, route).toBe(200);
      expect(await res.text(), route).toContain("the app");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(res.headers.get("cache-control")).toBe("no-cache");
    }
  });

  it("serves hashed assets for a year and a missing file as a 404, not as the app", async () => {
    const asset = await get(`${base}/assets/app-1234.js`, "*/*");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await get(`${base}/assets/gone-999.js`, "*/*")).status).toBe(404);
    expect((await get(`${base}/favicon.ico`, "image/*")).status).toBe(404);
  });

  it("never shadows the gateway's own paths", async () => {
    expect(await (await get(`${base}/graphql`)).text()).toBe("apollo");
    expect(await (await get(`${base}/health/live`)).json()).toEqual({ status: "ok" });
    expect(await (await get(`${base}/ide`)).text()).toContain("the ide");
    const auth = await get(`${base}/auth/somewhere`);
    expect(auth.status).toBe(404);
    expect(await auth.text()).not.toContain("the app");
    // Writes are never answered with the app either.
    expect((await fetch(`${base}/me`, { method: "POST" })).status).toBe(404);
  });

  it("says how to build when web/dist is missing", async () => {
    const url = await serve({ WEB_DIST: path.join(dist, "nothing-here") });
    const res = await get(`${url}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("npm run build:web");
    expect((await get(`${url}/ide`)).status).toBe(503);
  });
});

describe("POST /auth/dev-login", () => {
  it("signs a token for a valid name and role", async () => {
    for (const role of ["customer", "admin"] as const) {
      const res = await login(base, { userId: "kim.min-ji_2", role });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const { token } = (await res.json()) as { token: string };
      expect(await verifyToken(token)).toEqual({ id: "kim.min-ji_2", role });
    }
  });

  it("refuses a bad name or role with BAD_USER_INPUT naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ userId: "", role: "customer" }, "userId"],
      [{ userId: "a".repeat(65), role: "customer" }, "userId"],
      [{ userId: "with space", role: "customer" }, "userId"],
      [{ userId: "../etc", role: "customer" }, "userId"],
      [{ userId: "mallory", role: "service" }, "role"],
      [{ role: "admin" }, "userId"],
    ];
    for (const [body, field] of cases) {
      const res = await login(base, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { errors } = (await res.json()) as { errors: { extensions: { code: string; field: string } }[] };
      expect(errors[0]!.extensions).toEqual({ code: "BAD_USER_INPUT", field });
    }
  });

  it("is not there (404) in production or with DEV_LOGIN=off", async () => {
    for (const env of [{ NODE_ENV: "production" }, { DEV_LOGIN: "off" }] as Record<string, string>[]) {
      const url = await serve(env);
      const res = await login(url, { userId: "alice", role: "admin" });
      expect(res.status, JSON.stringify(env)).toBe(404);
      expect(await res.text()).not.toContain("token");
    }
  });
});
