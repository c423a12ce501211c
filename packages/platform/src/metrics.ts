// Prometheus metrics of every process, served at GET /metrics by the one bootstrap (server.ts).
// Label values are bounded: routes are the app's own patterns, operation names are capped, outcomes
// are error codes the servers themselves produce.
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Express, RequestHandler } from "express";
import { Kind } from "graphql";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { currentOperation, REQUEST_ID_HEADER, requestIdFrom, runInRequest, setCurrentOperation } from "./observability.ts";

export const registry = new Registry();
registry.setDefaultLabels({ service: process.env.SERVICE_NAME ?? "cinema" });
collectDefaultMetrics({ register: registry });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const httpDuration = new Histogram({
  name: "http_request_duration_seconds",
  help: "HTTP requests by method, route (the app's own pattern, or 'other') and status code.",
  labelNames: ["method", "route", "status_code"],
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const graphqlDuration = new Histogram({
  name: "graphql_request_duration_seconds",
  help: "GraphQL operations by operation name and outcome ('ok', or the first error's code).",
  labelNames: ["operation", "outcome"],
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const dbQueries = new Counter({
  name: "db_queries_total",
  help: "SQL statements sent to the database, by the GraphQL operation that caused them ('background' for consumers, relays and jobs). A list resolved without N+1 costs the same number of statements whatever its length.",
  labelNames: ["operation"],
  registers: [registry],
});
const dbTransactions = new Counter({
  name: "db_transactions_total",
  help: "Database transactions begun (interactive or batched), by the GraphQL operation that caused them ('background' otherwise).",
  labelNames: ["operation"],
  registers: [registry],
});
/**
 * Counts one SQL statement (db.ts calls it for each statement the Prisma adapter sends: a counter
 * increment, not a Prisma query event, which costs an event object per statement).
 */
export function countDbStatement(sql: string): void {
  const operation = currentOperation() ?? "background";
  dbQueries.inc({ operation });
  if (sql === "BEGIN") dbTransactions.inc({ operation });
}

const eventsPublished = new Counter({
  name: "events_published_total",
  help: "Events published to JetStream (acknowledged by the stream), by type.",
  labelNames: ["type"],
  registers: [registry],
});
const eventsConsumed = new Counter({
  name: "events_consumed_total",
  help: "Events a durable consumer handled and acknowledged, and the fetches (batches) they came in.",
  labelNames: ["consumer", "unit"],
  registers: [registry],
});
export const countEventPublished = (type: string) => eventsPublished.inc({ type });
/** A batch of `events` handled by `consumer` (a single event is a batch of one). */
export function countEventsConsumed(consumer: string, events: number): void {
  eventsConsumed.inc({ consumer, unit: "event" }, events);
  eventsConsumed.inc({ consumer, unit: "batch" });
}

const shed = new Counter({
  name: "requests_shed_total",
  help: "Requests refused or dropped without doing their work: where (a process or a limiter) and why (overload, deadline_spent, caller_gone, breaker_open, timeout).",
  labelNames: ["where", "reason"],
  registers: [registry],
});
/** Counts one request refused (or dropped) to protect the system rather than served. */
export const countShed = (where: string, reason: string) => shed.inc({ where, reason });

/** A counter by step and outcome, e.g. the reserve saga's (subgraphs/reservation). */
export function stepCounter(name: string, help: string): Counter<"step" | "outcome"> {
  return new Counter({ name, help, labelNames: ["step", "outcome"], registers: [registry] });
}

// ---------------------------------------------------------------------------------------------
// Sampled when scraped: circuit breakers, JetStream consumers, outbox backlogs.

interface BreakerSource {
  name: string;
  state(): { state: string };
}
const breakers = new Set<BreakerSource>();
const BREAKER_STATES = ["closed", "half-open", "open"] as const;
/** Called by each SubgraphClient: its breaker's state is exported as long as the process runs. */
export const trackBreaker = (client: BreakerSource) => void breakers.add(client);
new Gauge({
  name: "circuit_breaker_state",
  help: "1 for the state each dependency's circuit breaker is in (closed, half-open, open), 0 for the others.",
  labelNames: ["dependency", "state"],
  registers: [registry],
  collect() {
    this.reset();
    for (const client of breakers) {
      const current = client.state().state;
      for (const state of BREAKER_STATES) this.set({ dependency: client.name, state }, state === current ? 1 : 0);
    }
  },
});

const consumers = new Map<string, () => Promise<{ num_pending: number; num_ack_pending: number }>>();
/** Registers a durable consumer for the lag gauges; returns the unregister function. */
export function trackConsumer(durable: string, info: () => Promise<{ num_pending: number; num_ack_pending: number }>): () => void {
  consumers.set(durable, info);
  return () => void consumers.delete(durable);
}
const SCRAPE_TIMEOUT_MS = 2_000;
const withTimeout = <T>(p: Promise<T>) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), SCRAPE_TIMEOUT_MS).unref())]);

const consumerAckPending = new Gauge({
  name: "jetstream_consumer_ack_pending_messages",
  help: "Messages delivered to a durable consumer and not yet acknowledged.",
  labelNames: ["durable"],
  registers: [registry],
});
new Gauge({
  name: "jetstream_consumer_pending_messages",
  help: "Consumer lag: messages in the stream a durable consumer has not yet been delivered (JetStream num_pending).",
  labelNames: ["durable"],
  registers: [registry],
  async collect() {
    this.reset();
    consumerAckPending.reset();
    await Promise.all(
      [...consumers].map(async ([durable, info]) => {
        const i = await withTimeout(info()).catch(() => undefined); // NATS away: no sample rather than a stale one
        if (!i) return;
        this.set({ durable }, i.num_pending);
        consumerAckPending.set({ durable }, i.num_ack_pending);
      }),
    );
  },
});

const outboxes = new Set<{ backlog(): Promise<number> }>();
/** Registers a process's outbox relay (the gauge exists only in processes that have one). */
export function trackOutbox(relay: { backlog(): Promise<number> }): void {
  if (outboxes.size === 0) outboxGauge();
  outboxes.add(relay);
}
const outboxGauge = () => new Gauge({
  name: "outbox_backlog_events",
  help: "Committed outbox events not yet relayed to JetStream.",
  registers: [registry],
  async collect() {
    this.reset();
    let total = 0;
    let sampled = false;
    for (const relay of outboxes) {
      const n = await withTimeout(relay.backlog()).catch(() => undefined);
      if (n === undefined) continue;
      total += n;
      sampled = true;
    }
    if (sampled) this.set(total);
  },
});

// ---------------------------------------------------------------------------------------------
// HTTP: the request id, the latency histogram and the /metrics route.

/**
 * Gives a request its id (X-Request-Id, echoed back) and times it by `route` (the app's own
 * pattern, never the raw URL; a function when it is known only once answered). Returns the id.
 */
export function observeHttpRequest(req: IncomingMessage, res: ServerResponse, route: () => string): string {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  const end = httpDuration.startTimer();
  res.once("finish", () => end({ method: req.method ?? "GET", route: route(), status_code: String(res.statusCode) }));
  return requestId;
}

/**
 * Mounted first on the Express app of startHttpServer (every route but /graphql, which server.ts
 * serves itself): the request id and latency histogram, and /metrics.
 */
export function installObservability(app: Express): void {
  app.use(((req, res, next) => {
    // The route as the app declared it (app.get path or app.use mount point).
    const requestId = observeHttpRequest(req, res, () => {
      const route = req.route?.path ?? (req.baseUrl || "other");
      return typeof route === "string" ? route : "other";
    });
    runInRequest({ requestId }, next);
  }) as RequestHandler);
  app.get("/metrics", (async (req, res) => {
    // For scrapers inside the cluster: a request relayed by a proxy (the Ingress in front of the
    // gateway) does not see the metrics.
    if (req.headers["x-forwarded-for"] || req.headers.forwarded) return void res.status(404).end();
    res.setHeader("content-type", registry.contentType);
    res.end(await registry.metrics());
  }) as RequestHandler);
}

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;
const MAX_OPERATIONS = Number(process.env.METRICS_MAX_OPERATIONS ?? 200);
const operations = new Set<string>();
/** Client-chosen operation names, capped: past the cap, and for odd names, "other". */
function operationLabel(name: string | null | undefined): string {
  if (!name) return "anonymous";
  if (!OPERATION_NAME.test(name)) return "other";
  if (operations.has(name)) return name;
  if (operations.size >= MAX_OPERATIONS) return "other";
  operations.add(name);
  return name;
}
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,49}$/;

/** Times each GraphQL operation by name and outcome. */
export function graphqlMetricsPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const end = graphqlDuration.startTimer();
      return {
        async didResolveOperation({ operationName }) {
          setCurrentOperation(operationLabel(operationName));
        },
        async willSendResponse({ operationName, document, request, response, errors }) {
          const first = response.body.kind === "single" ? response.body.singleResult.errors?.[0] : errors?.[0];
          const code = first ? String(first.extensions?.code ?? "ERROR") : "ok";
          // A document that failed validation has no resolved operation yet: take the name it gives.
          const named = operationName ?? document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)?.name?.value ?? request.operationName;
          end({ operation: operationLabel(named), outcome: code === "ok" || ERROR_CODE.test(code) ? code : "ERROR" });
        },
      };
    },
  };
}
