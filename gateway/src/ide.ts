// GET /ide: the offline GraphQL IDE (GraphiQL 5, bundled by Vite from node_modules into web/dist/ide
// with its Monaco editor and workers; no CDN). It talks to /graphql over HTTP and, for
// subscriptions, graphql-ws on the same URL. Apollo Server's own landing page stays at /graphql
// (Apollo Sandbox, which needs the internet). Both follow the GRAPHQL_IDE switch.
import path from "node:path";
import { existsSync } from "node:fs";
import type { Express } from "express";
import { webDist } from "./web.ts";
import { switchedOn } from "./security.ts";

/** Off (404, like any unknown path) with GRAPHQL_IDE=off, and by default when NODE_ENV=production. */
export function mountIde(app: Express): void {
  if (!switchedOn("GRAPHQL_IDE")) return;
  const page = path.join(webDist(), "ide", "index.html");
  app.get("/ide", (_req, res) => {
    if (!existsSync(page)) {
      res.status(503).type("text/plain").send("The GraphQL IDE is not built: run `npm run build:web`. Meanwhile /graphql has Apollo Sandbox (online).");
      return;
    }
    // Monaco runs its language services in workers (script files of our own, 'self') and styles
    // editors inline; GraphiQL keeps tabs in localStorage.
    res
      .set({
        "cache-control": "no-cache",
        "content-security-policy": "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
      })
      .sendFile(page);
  });
}
