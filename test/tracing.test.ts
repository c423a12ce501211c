// Tracing across the graph and metrics on every process: a stack whose processes export spans
// (OTLP over HTTP, JSON) to a collector in this test, one booking, then the spans and /metrics.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROCESS_NAMES, SUBGRAPHS, type ProcessName } from "../scripts/lib/subgraphs.ts";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, reserve } from "./fixtures.ts";

interface Span {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

/** A minimal OTLP/HTTP collector: POST /v1/traces with the JSON encoding. */
function startCollector() {
  const spans: Span[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/traces" && /json/.test(req.headers["content-type"] ?? "")) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: { key: string; value: Record<string, unknown> }[] }[] }[];
          }[];
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "?";
          for (const ss of rs.scopeSpans) {
            for (const s of ss.spans) {
              const attributes = Object.fromEntries((s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));
              spans.push({ service, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? "", name: s.name, kind: s.kind, attributes });
            }
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      } else {
        res.writeHead(415).end();
      }
    });
  });
  return {
    spans,
    server,
    listen: () => new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
  };
}

const collector = startCollector();
let t: TestStack;

beforeAll(async () => {
  const endpoint = await collector.listen();
  t = await startTestStack({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    },
  });
});
afterAll(async () => {
  await t?.cleanup();
  collector.server.close();
});

describe("one trace per booking", () => {
  it("spans gateway, reservation, movie, seat and payment, and continues through NATS to the ticket issuer", async () => {
    const s = await bookableScreening(t);
    const res = await reserve(t, "tracy", { screeningId: s.id, seats: ["A-1"] });
    expect(res.errors).toBeUndefined();
    const reservationId: string = res.data.reserve.id;

    // The gateway's span for the reserve operation names the trace the whole booking shares; wait
    // until its spans are all in (the ticket issuer's come last) and each span's parent is there
    // too (no orphans: the context crossed each hop intact).
    const complete = (inTrace: Span[]) => {
      const ids = new Set(inTrace.map((sp) => sp.spanId));
      return (
        ["gateway", "reservation", "movie", "seat", "payment"].every((n) => inTrace.some((sp) => sp.service === n && sp.kind === 2)) &&
        inTrace.some((sp) => sp.service === "ticketing" && sp.name === "process reservation.confirmed") &&
        inTrace.every((sp) => !sp.parentSpanId || ids.has(sp.parentSpanId))
      );
    };
    const trace = await waitFor(
      () => {
        const roots = collector.spans.filter((sp) => sp.service === "gateway" && sp.kind === 2 && sp.parentSpanId === "");
        for (const root of roots) {
          const inTrace = collector.spans.filter((sp) => sp.traceId === root.traceId);
          if (inTrace.some((sp) => sp.service === "payment") && complete(inTrace)) return inTrace;
        }
        return undefined;
      },
      { timeoutMs: 20_000 },
    ).catch(() => {
      const byTrace = new Map<string, string[]>();
      for (const sp of collector.spans) byTrace.set(sp.traceId, [...(byTrace.get(sp.traceId) ?? []), `${sp.service}:${sp.name}`]);
      throw new Error(`no complete booking trace; traces seen:\n${[...byTrace].map(([id, names]) => `${id}: ${names.join(", ")}`).join("\n")}`);
    });

    // Apollo Gateway's own spans, and the reserve saga's calls as server spans in each subgraph.
    const gatewaySpans = trace.filter((sp) => sp.service === "gateway").map((sp) => sp.name);
    expect(gatewaySpans).toEqual(expect.arrayContaining(["gateway.request", "gateway.plan", "gateway.fetch"]));
    // The outbox relay publishes reservation.confirmed in the booking's trace; the ticket issuer
    // processes it there, and what it publishes (ticket.issued) stays in it too.
    const published = trace.find((sp) => sp.service === "reservation" && sp.name === "publish reservation.confirmed");
    expect(published, "reservation: publish span").toBeDefined();
    expect(published!.kind).toBe(4); // PRODUCER
    expect(published!.attributes["messaging.message.id"]).toBeTruthy();
    const processed = trace.find((sp) => sp.service === "ticketing" && sp.name === "process reservation.confirmed")!;
    expect(processed.kind).toBe(5); // CONSUMER
    expect(processed.attributes["messaging.consumer.group.name"]).toBeTruthy();
    await waitFor(() => collector.spans.some((sp) => sp.traceId === processed.traceId && sp.service === "ticketing" && sp.name === "publish ticket.issued"));
    // The database work done for the booking is in it as well.
    expect(trace.some((sp) => sp.service === "reservation" && sp.name.startsWith("pg.query"))).toBe(true);

    // The stored event carries the trace, as the envelope's traceparent.
    const [row] = await t.sql<{ payload: { traceparent?: string } }>(
      "reservation",
      `SELECT payload FROM outbox_event WHERE type = 'reservation.confirmed' AND payload->>'aggregateId' = $1`,
      [reservationId],
    );
    expect(row?.payload.traceparent).toMatch(new RegExp(`^00-${trace[0]!.traceId}-[0-9a-f]{16}-0[01]$`));
  });
});

/** Prometheus text format → samples (name, labels, value). */
function samples(text: string) {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

describe("/metrics", () => {
  const scrape = async (name: ProcessName, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${t.stack.ports[name]}/metrics`, { headers });
    const text = await res.text();
    return { status: res.status, type: res.headers.get("content-type") ?? "", text, samples: res.status === 200 ? samples(text) : [] };
  };
  type Sample = ReturnType<typeof samples>[number];
  const find = (all: Sample[], name: string, labels: Record<string, string> = {}) =>
    all.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  it.each(PROCESS_NAMES)("%s serves Prometheus metrics: Node's defaults and HTTP latency", async (name) => {
    const { status, type, samples } = await scrape(name);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    expect(find(samples, "process_cpu_user_seconds_total", { service: name })).toHaveLength(1);
    expect(find(samples, "nodejs_eventloop_lag_seconds")).toHaveLength(1);
    // The launcher's readiness polls went through the HTTP histogram, by route.
    expect(find(samples, "http_request_duration_seconds_count", { route: "/health/ready", method: "GET", status_code: "200" })[0]?.value).toBeGreaterThan(0);
  });

  it("times GraphQL operations by name and outcome", async () => {
    expect((await t.gql(`query MetricsProbe { movies { id } }`)).errors).toBeUndefined();
    expect((await t.gql(`query MetricsProbeBad { nope }`)).errors).toBeDefined();
    const gateway = (await scrape("gateway")).samples;
    expect(find(gateway, "graphql_request_duration_seconds_count", { operation: "MetricsProbe", outcome: "ok" })[0]?.value).toBe(1);
    expect(find(gateway, "graphql_request_duration_seconds_count", { operation: "MetricsProbeBad", outcome: "GRAPHQL_VALIDATION_FAILED" })[0]?.value).toBe(1);
    expect(find(gateway, "http_request_duration_seconds_count", { route: "/graphql", method: "POST" }).length).toBeGreaterThan(0);
    // The subgraph saw the gateway's fetch for it.
    expect(find((await scrape("movie")).samples, "graphql_request_duration_seconds_count", { outcome: "ok" }).length).toBeGreaterThan(0);
  });

  it("reservation: saga steps by outcome and the circuit breakers' states", async () => {
    const { samples } = await scrape("reservation");
    for (const step of ["check_screening", "hold_seats", "capture_payment", "confirm_seats"]) {
      expect(find(samples, "reservation_saga_steps_total", { step, outcome: "ok" })[0]?.value, step).toBeGreaterThan(0);
    }
    for (const dependency of ["movie", "seat", "payment"]) {
      expect(find(samples, "circuit_breaker_state", { dependency, state: "closed" })[0]?.value, dependency).toBe(1);
      expect(find(samples, "circuit_breaker_state", { dependency, state: "open" })[0]?.value, dependency).toBe(0);
    }
  });

  it.each(["seat", "payment", "mypage", "notifications", "ticketing"] as const)("%s: consumer lag per durable and the outbox backlog", async (name) => {
    const { samples } = await scrape(name);
    const lag = find(samples, "jetstream_consumer_pending_messages");
    expect(lag.length).toBeGreaterThan(0);
    for (const s of lag) expect(s.labels.durable).toMatch(/^[a-z]+_/);
    expect(find(samples, "jetstream_consumer_ack_pending_messages").length).toBe(lag.length);
    expect(find(samples, "outbox_backlog_events")).toHaveLength(1);
  });

  it("leaves out what a process does not have", async () => {
    const { samples } = await scrape("gateway");
    for (const name of ["outbox_backlog_events", "jetstream_consumer_pending_messages"]) expect(find(samples, name), name).toEqual([]);
  });

  it("gateway: a circuit breaker per subgraph, and only those", async () => {
    const { samples } = await scrape("gateway");
    const dependencies = new Set(find(samples, "circuit_breaker_state").map((s) => s.labels.dependency));
    expect([...dependencies].sort()).toEqual(SUBGRAPHS.map((name) => `gateway:${name}`).sort());
    for (const name of SUBGRAPHS) expect(find(samples, "circuit_breaker_state", { dependency: `gateway:${name}`, state: "closed" })[0]?.value, name).toBe(1);
  });

  it("is not served through a proxy (the Ingress in front of the gateway)", async () => {
    expect((await scrape("gateway", { "x-forwarded-for": "203.0.113.7" })).status).toBe(404);
  });

  it("echoes or assigns X-Request-Id", async () => {
    const given = await fetch(`http://127.0.0.1:${t.stack.ports.gateway}/health/live`, { headers: { "x-request-id": "req-123" } });
    expect(given.headers.get("x-request-id")).toBe("req-123");
    const assigned = await fetch(`http://127.0.0.1:${t.stack.ports.gateway}/health/live`, { headers: { "x-request-id": "not a valid id!" } });
    expect(assigned.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
