import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import bytes from "bytes";
import express, { type Express, type Request } from "express";
import { parse } from "graphql";
import { ApolloServer, HeaderMap, type ApolloServerOptions, type BaseContext, type HTTPGraphQLResponse } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { INTERNAL_HEADER, viewerFromHeader, viewerFromInternalHeader, type Viewer } from "./auth.ts";
import { budgetFromHeader, DEADLINE_HEADER } from "./deadline.ts";
import { AppError, busy, formatError, retryAfterHeader } from "./errors.ts";
import { logger } from "./logger.ts";
import { countShed, graphqlMetricsPlugin, installObservability, observeHttpRequest } from "./metrics.ts";
import { flushTraces, runInRequest } from "./observability.ts";

export interface RequestContext extends BaseContext {
  viewer: Viewer;
}

export interface HttpServerOptions<C extends RequestContext> {
  name: string;
  port: number;
  /** GraphQL at /graphql; a worker without one still gets health endpoints and graceful shutdown. */
  apollo?: ApolloServerOptions<C>;
  /**
   * Who may call /graphql. `internal` (every subgraph, the default): only the gateway and other
   * subgraphs, with an internal identity token in `x-cinema-identity`; anything else is a 401.
   * `bearer` (the gateway): a person's `Authorization: Bearer` token, or nobody (anonymous).
   */
  identity?: "internal" | "bearer";
  /** Builds the per-request context on top of the verified viewer. */
  context?: (base: RequestContext, req: IncomingMessage) => Promise<C> | C;
  /** Extra readiness checks (database, NATS, supergraph); /health/ready is 503 while any fails. */
  ready?: () => Promise<boolean>;
  /** Facts shown on /health/ready without deciding it (e.g. circuit breaker states). */
  details?: () => Record<string, unknown>;
  /**
   * Admission before Apollo's pipeline, where refusing costs least (the gateway: a slot for each
   * `reserve`). Throws the typed refusal, or returns what to call with the answer once it is ready
   * (undefined: none came), exactly once.
   */
  admit?: (body: unknown) => Promise<((answer: HTTPGraphQLResponse | undefined) => void) | undefined>;
  /** Routes mounted before /graphql (the gateway's SPA, IDE and dev login). */
  routes?: (app: Express) => void;
  /** Called on shutdown after HTTP stopped accepting and drained: close consumers, pools, NATS. */
  onShutdown?: () => Promise<void>;
}

export interface RunningServer {
  url: string;
  httpServer: http.Server;
  stop(): Promise<void>;
}

/** A GraphQL-shaped refusal of the whole request (no operation ran). */
function refuse(res: ServerResponse, status: number, message: string, extensions: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions }] }));
}

/**
 * How much of a refused (too large) body is read and thrown away: a client still sending it then
 * reads its 413 instead of a broken pipe (a connection closed under it); past this it is cut off.
 */
const DISCARD_MAX_BYTES = 32 * 1024 * 1024;

/** Reads and throws away the rest of a refused body, at most DISCARD_MAX_BYTES of it. */
function discardRest(req: IncomingMessage): void {
  let discarded = 0;
  req.removeAllListeners("data");
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_MAX_BYTES) req.socket.destroy();
  });
  req.resume();
}

/** The request's body, at most `limit` bytes (null: too large; the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) {
    discardRest(req);
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        discardRest(req);
        return resolve(null);
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}

async function writeGraphQLResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === "complete") return void res.end(response.body.string);
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * The one bootstrap of every process: Apollo Server with the shared error mapping, health
 * endpoints, a bounded body size, and graceful shutdown on SIGTERM/SIGINT.
 *
 * /graphql is served by Node's HTTP server and Apollo Server directly (identity, deadline, body,
 * Apollo): every request of the graph pays for this path, and Express's router, body parser and
 * integration cost as much again as the rest of a trivial query (measured, BENCHMARKS.md). Express
 * serves everything else: health, /metrics, and the gateway's web app, IDE and dev sign-in.
 */
export async function startHttpServer<C extends RequestContext>(opts: HttpServerOptions<C>): Promise<RunningServer> {
  const app = express();
  app.disable("x-powered-by");
  let serveGraphQL: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const httpServer = http.createServer((req, res) => {
    const q = req.url?.indexOf("?") ?? -1;
    const path = q < 0 ? req.url : req.url!.slice(0, q);
    if (serveGraphQL && (path === "/graphql" || path === "/graphql/")) serveGraphQL(req, res);
    else app(req, res);
  });
  httpServer.keepAliveTimeout = 65_000;
  installObservability(app); // request id, latency histogram, GET /metrics
  let shuttingDown = false;

  const apollo =
    opts.apollo &&
    new ApolloServer<C>({
      ...opts.apollo,
      formatError,
      includeStacktraceInErrorResponses: false,
      // We handle SIGTERM ourselves (below) so shutdown can finish closing consumers and pools.
      stopOnTerminationSignals: false,
      plugins: [
        ...(opts.apollo.plugins ?? []),
        graphqlMetricsPlugin<C>(),
        retryAfterHeader<C>(),
        ApolloServerPluginDrainHttpServer({ httpServer }),
        // No HTTP caching of GraphQL answers here (bookings are per user and live); without this
        // default plugin no hook runs for every field of every answer.
        ApolloServerPluginCacheControlDisabled(),
      ],
    } as ApolloServerOptions<C>);
  await apollo?.start();

  app.get("/health/live", (_req, res) => void res.json({ status: "ok", service: opts.name }));
  app.get("/health/ready", async (_req, res) => {
    const ok = !shuttingDown && (opts.ready ? await opts.ready().catch(() => false) : true);
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "not ready", service: opts.name, ...opts.details?.() });
  });
  opts.routes?.(app);

  if (apollo) {
    // MAX_BODY_BYTES as Express's body parser read it (the same `bytes` parser): "100kb", "1.5mb", 102400.
    const limit = bytes.parse(process.env.MAX_BODY_BYTES ?? "100kb") ?? 100 * 1024;
    serveGraphQL = (req, res) => {
      const requestId = observeHttpRequest(req, res, () => "/graphql");
      // The caller's remaining budget (x-cinema-deadline-ms, from the gateway or another subgraph)
      // becomes this request's deadline on our clock, for everything it starts. The gateway sets
      // its own deadlines per operation instead.
      const budget = opts.identity === "bearer" ? undefined : budgetFromHeader(req.headers[DEADLINE_HEADER]);
      const deadline = budget === undefined ? undefined : Date.now() + budget;
      runInRequest({ requestId, deadline }, () =>
        graphqlRequest(req, res, budget).catch((err: unknown) => {
          logger.error({ err }, "graphql request failed");
          if (!res.headersSent) refuse(res, 500, "Internal error.", { code: "INTERNAL_SERVER_ERROR" });
          else res.destroy();
        }),
      );
    };
    const graphqlRequest = async (req: IncomingMessage, res: ServerResponse, budget: number | undefined) => {
      // The one place a caller's identity is read. A missing (subgraphs) or bad token refuses the
      // whole request with a 401 and the typed error, before the body is read or any resolver runs.
      let viewer: Viewer;
      try {
        viewer = await (opts.identity === "bearer" ? viewerFromHeader(req.headers.authorization) : viewerFromInternalHeader(req.headers[INTERNAL_HEADER]));
      } catch (err) {
        const refusal = err instanceof AppError ? err : new AppError("UNAUTHENTICATED", "Sign in to do this.");
        return refuse(res, 401, refusal.message, { code: refusal.code });
      }
      // Work whose caller has already given up is not started: a spent budget is refused at once
      // (typed, Retry-After), and a request whose connection is gone (a caller that timed out while
      // this process was frozen or busy) is dropped unanswered.
      if (req.destroyed || req.socket.destroyed || res.writableEnded) {
        countShed(opts.name, "caller_gone");
        return void res.destroy();
      }
      if (budget !== undefined && budget <= 0) {
        countShed(opts.name, "deadline_spent");
        const refusal = busy({ reason: "deadline" });
        return refuse(res, 503, refusal.message, refusal.extensions, { "retry-after": "1" });
      }
      let body: unknown;
      if (req.method === "POST") {
        const raw = await readBody(req, limit);
        // Oversized and malformed bodies are the client's fault: a 413/400 with a GraphQL-shaped body.
        if (raw === null) return refuse(res, 413, "The request body is too large.", { code: "BAD_REQUEST" });
        if (/json/i.test(req.headers["content-type"] ?? "") && raw.length) {
          try {
            body = JSON.parse(raw);
          } catch {
            return refuse(res, 400, "The request body is not valid JSON.", { code: "BAD_REQUEST" });
          }
        }
      }
      // Admitted (or refused) before anything else is built for the request: a refusal costs least.
      let admitted: ((answer: HTTPGraphQLResponse | undefined) => void) | undefined;
      try {
        admitted = await opts.admit?.(body);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        return refuse(res, 200, err.message, err.extensions, { "retry-after": String(err.extensions.retryAfterSeconds ?? 1) });
      }
      let response: HTTPGraphQLResponse | undefined;
      try {
        const headers = new HeaderMap();
        for (const [name, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        const q = req.url!.indexOf("?");
        const base: RequestContext = { viewer };
        const context = (opts.context ? await opts.context(base, req) : base) as C;
        response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: q < 0 ? "" : req.url!.slice(q + 1), body },
          context: async () => context,
        });
      } finally {
        admitted?.(response); // undefined: no answer came (a failure midway)
      }
      await writeGraphQLResponse(res, response);
    };
  }
  // Express's own errors (e.g. the dev sign-in's body parser): a 400/413 with a GraphQL-shaped body.
  app.use((err: { status?: number; type?: string; message?: string }, _req: Request, res: express.Response, _next: express.NextFunction) => {
    const status = err.status && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, "http error");
    res.status(status).json({
      errors: [{ message: status === 413 ? "The request body is too large." : status === 500 ? "Internal error." : "The request body is not valid JSON.", extensions: { code: status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST" } }],
    });
  });

  await new Promise<void>((resolve) => httpServer.listen(opts.port, "0.0.0.0", resolve));
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  const url = `http://127.0.0.1:${port}${apollo ? "/graphql" : ""}`;
  logger.info({ url }, `${opts.name} ready`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      shuttingDown = true;
      // Stop accepting and drain in-flight requests.
      await (apollo ? apollo.stop() : new Promise<void>((resolve) => httpServer.close(() => resolve())));
      await opts.onShutdown?.();
      await flushTraces();
      logger.info(`${opts.name} stopped`);
    })());
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      const timer = setTimeout(() => process.exit(1), Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 10_000));
      timer.unref();
      stop().then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
  return { url, httpServer, stop };
}

/** A Federation 2 subgraph from its schema.graphql file and resolvers. */
export function startSubgraph<C extends RequestContext>(
  opts: Omit<HttpServerOptions<C>, "apollo"> & { schemaFile: string | URL; resolvers: GraphQLResolverMap<C> },
): Promise<RunningServer> {
  const typeDefs = parse(readFileSync(opts.schemaFile, "utf8"));
  return startHttpServer<C>({
    ...opts,
    apollo: {
      schema: buildSubgraphSchema({ typeDefs, resolvers: opts.resolvers as GraphQLResolverMap<unknown> }),
      // Federated tracing to Apollo's cloud is off: tracing goes through OpenTelemetry instead.
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    },
  });
}
