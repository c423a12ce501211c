// The web app (web/, built to web/dist by `npm run build:web`) served by the gateway, so one URL
// does it all: the app at /, the API at /graphql. Client-side routes (/me/…, /screenings/…) get
// index.html; the gateway's own paths are never shadowed.
import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Express } from "express";
import { repoRoot } from "@cinema/platform/config";
import { logger } from "@cinema/platform/logger";

export const webDist = () => process.env.WEB_DIST ?? path.join(repoRoot, "web", "dist");

/** Paths that belong to the gateway itself (API, probes, IDE, sign-in), whatever web/dist holds. */
const RESERVED = /^\/(graphql|health|ide|auth)(\/|$)/;

/**
 * Same-origin only: scripts, styles and data from this server; the API over fetch and WebSocket.
 * Inline styles are allowed (React sets style attributes); data: images are the ticket's QR code.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

export function mountWeb(app: Express): void {
  const dist = webDist();
  const index = path.join(dist, "index.html");
  if (!existsSync(index)) {
    logger.warn({ dist }, "web app not built (npm run build:web): / answers with a hint");
    app.get("/", (_req, res) => void res.status(503).type("text/plain").send("The web app is not built: run `npm run build:web`. The API is at /graphql."));
    return;
  }
  const sendIndex = (res: express.Response) =>
    res.set({ "cache-control": "no-cache", "content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "same-origin" }).sendFile(index);

  const assets = express.static(dist, {
    index: false,
    // Vite puts a content hash in every file name under assets/: those never change.
    setHeaders: (res, file) => {
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("cache-control", file.includes(`${path.sep}assets${path.sep}`) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  app.use((req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || RESERVED.test(req.path)) return next();
    if (req.path === "/" || req.path === "/index.html") return void sendIndex(res);
    assets(req, res, () => {
      // Not a file: a client-side route gets the app, a missing file (has an extension) a 404.
      if (path.extname(req.path) || !req.accepts("html")) return next();
      sendIndex(res);
    });
  });
}
