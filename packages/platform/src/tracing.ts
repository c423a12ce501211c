// OpenTelemetry tracing, preloaded before a process's entry file:
//   node --import ./packages/platform/src/tracing.ts <entry>.ts
// (the launcher, scripts/lib/stack.ts, and the image's deploy/start.sh do this for every process).
//
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then this
// file loads nothing else and costs nothing. On, it registers the SDK with OTLP over HTTP (JSON),
// W3C trace context, and a lean set of instrumentations: incoming and outgoing HTTP, Node's fetch
// (undici: the gateway's and the subgraph clients' calls), Express routes, GraphQL parse/validate/
// execute (no per-field spans), and pg queries made inside a traced request. The event envelope
// carries `traceparent` across NATS (observability.ts), so one booking is one trace.
// Standard variables apply: OTEL_SERVICE_NAME (default SERVICE_NAME), OTEL_RESOURCE_ATTRIBUTES,
// OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_*, OTEL_EXPORTER_OTLP_HEADERS; OTEL_SDK_DISABLED=true turns it off.
const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
if (endpoint && process.env.OTEL_SDK_DISABLED !== "true") await startTracing();

async function startTracing() {
  const { register } = await import("node:module");
  const { createAddHookMessageChannel } = await import("import-in-the-middle");
  // The ESM loader hook intercepts only the modules the instrumentations below ask for.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);

  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, resources, { registerInstrumentations }, http, undici, express, graphql, pg] =
    await Promise.all([
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/instrumentation"),
      import("@opentelemetry/instrumentation-http"),
      import("@opentelemetry/instrumentation-undici"),
      import("@opentelemetry/instrumentation-express"),
      import("@opentelemetry/instrumentation-graphql"),
      import("@opentelemetry/instrumentation-pg"),
    ]);

  const serviceName = process.env.OTEL_SERVICE_NAME ?? process.env.SERVICE_NAME ?? "cinema";
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ "service.name": serviceName, "service.namespace": "cinema" }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  provider.register(); // global provider, AsyncLocalStorage context, W3C traceparent + baggage propagation

  // Probes and scrapes are not traces.
  const quiet = new Set(["/health/live", "/health/ready", "/metrics"]);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new http.HttpInstrumentation({ ignoreIncomingRequestHook: (req) => quiet.has((req.url ?? "").split("?")[0]!) }),
      new undici.UndiciInstrumentation(),
      new express.ExpressInstrumentation({ ignoreLayersType: [express.ExpressLayerType.MIDDLEWARE] }),
      new graphql.GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true }),
      // Only queries made while serving something traced: the relay's and sweeps' polling stays out.
      new pg.PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  await waitForAllMessagesAcknowledged();
}

export {};
