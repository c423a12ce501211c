import http from "node:http";
import { readFileSync } from "node:fs";
import express, { type Express, type Request } from "express";
import { parse } from "graphql";
import { ApolloServer, type ApolloServerOptions, type BaseContext } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { INTERNAL_HEADER, viewerFromHeader, viewerFromInternalHeader, type Viewer } from "./auth.ts";
import { budgetFromHeader, DEADLINE_HEADER, runWithDeadline } from "./deadline.ts";
import { AppError, busy, formatError } from "./errors.ts";
import { logger } from "./logger.ts";
import { countShed, graphqlMetricsPlugin, installObservability } from "./metrics.ts";
import { flushTraces } from "./observability.ts";

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
  context?: (base: RequestContext, req: Request) => Promise<C> | C;
  /** Extra readiness checks (database, NATS, supergraph); /health/ready is 503 while any fails. */
  ready?: () => Promise<boolean>;
  /** Facts shown on /health/ready without deciding it (e.g. circuit breaker states). */
  details?: () => Record<string, unknown>;
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

/**
 * The one bootstrap of every process: Apollo Server on Express with the shared error mapping,
 * health endpoints, a bounded body size, and graceful shutdown on SIGTERM/SIGINT.
 */
export async function startHttpServer<C extends RequestContext>(opts: HttpServerOptions<C>): Promise<RunningServer> {
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
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
  // The one place a caller's identity is read. A missing (subgraphs) or bad token refuses the whole
  // request with a 401 and the typed error, before the body is parsed or any resolver runs.
  const identify: express.RequestHandler = (req, res, next) => {
    const viewer = opts.identity === "bearer" ? viewerFromHeader(req.headers.authorization) : viewerFromInternalHeader(req.headers[INTERNAL_HEADER]);
    viewer.then(
      (v) => {
        res.locals.viewer = v;
        next();
      },
      (err: unknown) => {
        const refusal = err instanceof AppError ? err : new AppError("UNAUTHENTICATED", "Sign in to do this.");
        res.status(401).json({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
      },
    );
  };
  // The caller's remaining budget (x-cinema-deadline-ms, from the gateway or another subgraph)
  // becomes this request's deadline on our clock, for everything it starts. Work whose caller has
  // already given up is not started: a spent budget is refused at once (typed, Retry-After), and a
  // request whose connection is gone (a caller that timed out while this process was frozen or
  // busy) is dropped unanswered. The gateway sets its own deadlines per operation instead.
  const withDeadline: express.RequestHandler = (req, res, next) => {
    const budget = opts.identity === "bearer" ? undefined : budgetFromHeader(req.headers[DEADLINE_HEADER]);
    if (req.destroyed || req.socket.destroyed || res.writableEnded) {
      countShed(opts.name, "caller_gone");
      return void res.destroy();
    }
    if (budget !== undefined && budget <= 0) {
      countShed(opts.name, "deadline_spent");
      const refusal = busy({ reason: "deadline" });
      res.setHeader("retry-after", "1");
      return void res.status(503).json({ errors: [{ message: refusal.message, extensions: refusal.extensions }] });
    }
    runWithDeadline(budget === undefined ? undefined : Date.now() + budget, next);
  };
  if (apollo) app.use(
    "/graphql",
    identify,
    express.json({ limit: process.env.MAX_BODY_BYTES ?? "100kb" }),
    withDeadline,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const base: RequestContext = { viewer: res.locals.viewer as Viewer };
        return (opts.context ? await opts.context(base, req) : base) as C;
      },
    }),
  );
  // Malformed JSON and oversized bodies are the client's fault: a 400/413 with a GraphQL-shaped body.
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
