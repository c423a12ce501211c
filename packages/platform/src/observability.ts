// What logs, events and spans share about "this request": its request id (AsyncLocalStorage) and
// the active OpenTelemetry span. Only @opentelemetry/api is used here: without the SDK (tracing.ts
// starts it when OTEL_EXPORTER_OTLP_ENDPOINT is set) every call below is a no-op.
// Imports nothing of the platform, so logger.ts can use it.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from "@opentelemetry/api";

/**
 * What the platform keeps about the request being served, for everything it starts: its id (logs),
 * the GraphQL operation (metrics' labels) and its deadline (deadline.ts). One store for all three:
 * each AsyncLocalStorage costs something on every asynchronous step of every request.
 */
export interface RequestScope {
  requestId: string;
  operation?: string;
  /** This process's clock, ms; undefined: none. */
  deadline?: number;
}
const requests = new AsyncLocalStorage<RequestScope>();

/** A caller's X-Request-Id is kept when it looks like one (ours are UUIDs); anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_HEADER = "x-request-id";

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

/** Runs `fn` (and everything it starts) as part of the request `scope`. */
export function runInRequest<T>(scope: RequestScope, fn: () => T): T {
  return requests.run(scope, fn);
}

/** The scope of the request being served; undefined outside one (consumers, jobs). */
export const currentRequest = (): RequestScope | undefined => requests.getStore();

export const currentRequestId = (): string | undefined => requests.getStore()?.requestId;

/** The GraphQL operation the current request runs (set once it is known; a bounded label). */
export const currentOperation = (): string | undefined => requests.getStore()?.operation;
export function setCurrentOperation(label: string): void {
  const store = requests.getStore();
  if (store) store.operation = label;
}

/** pino's mixin: every log line written while serving a request names it and its trace. */
export function logBindings(): Record<string, string> {
  const bindings: Record<string, string> = {};
  const requestId = currentRequestId();
  if (requestId) bindings.requestId = requestId;
  const span = trace.getActiveSpan()?.spanContext();
  if (span && isSpanContextValid(span)) {
    bindings.traceId = span.traceId;
    bindings.spanId = span.spanId;
  }
  return bindings;
}

/** The active trace as a W3C `traceparent` (the event envelope's field); undefined when tracing is off. */
export function currentTraceparent(): string | undefined {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

const tracer = () => trace.getTracer("cinema");

type TracedEvent = { id: string; type: string; traceparent?: string };

/** The span of publishing or processing `event`, in the trace the event was created in (its `traceparent`). */
function eventSpan(event: TracedEvent, kind: "publish" | "process", attributes: Attributes) {
  return {
    name: `${kind} ${event.type}`,
    options: {
      kind: kind === "publish" ? SpanKind.PRODUCER : SpanKind.CONSUMER,
      attributes: { "messaging.system": "nats", "messaging.operation.type": kind, "messaging.message.id": event.id, ...attributes },
    },
    parent: event.traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent: event.traceparent }) : ROOT_CONTEXT,
  };
}

function markFailed(span: Span, err: unknown): void {
  span.recordException(err as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
}

/**
 * Runs `fn` in a span that continues the trace an event was created in (its `traceparent`): the
 * relay's publish (PRODUCER) and each consumer's processing (CONSUMER) join the booking's trace.
 */
export async function inEventSpan<T>(event: TracedEvent, kind: "publish" | "process", attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  const { name, options, parent } = eventSpan(event, kind, attributes);
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn();
    } catch (err) {
      markFailed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * The batch form of inEventSpan: one span per event, each in its event's trace, all covering the
 * one call that handles them together.
 */
export async function inEventSpans<T>(events: TracedEvent[], kind: "process", attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  const spans = events.map((event) => {
    const { name, options, parent } = eventSpan(event, kind, { "messaging.batch.message_count": events.length, ...attributes });
    return tracer().startSpan(name, options, parent);
  });
  try {
    return await fn();
  } catch (err) {
    for (const span of spans) markFailed(span, err);
    throw err;
  } finally {
    for (const span of spans) span.end();
  }
}

/** Sends spans still buffered (shutdown); a no-op without the SDK. */
export async function flushTraces(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  await provider.getDelegate?.().forceFlush?.().catch(() => {});
}
