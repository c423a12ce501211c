// The fetcher the gateway's data sources call subgraphs with: undici's own request API on
// keep-alive connections. Node's fetch does the same job with several times the CPU per call
// (WHATWG streams, Request/Response objects), and the gateway makes one call per subgraph fetch.
//
// One fetcher per subgraph, each with its own connections (a bulkhead: a frozen subgraph cannot
// use up the connections of the others), a deadline (its <NAME>_TIMEOUT_MS, or what is left of
// the request's budget, whichever ends first), an adaptive admission limit (platform admission.ts)
// and a circuit breaker (opossum, as the saga's SubgraphClient): a hung or slow subgraph is answered
// with the typed SERVICE_UNAVAILABLE and the busy message within the deadline, and once the
// breaker is open or the limit is reached, at once.
import CircuitBreaker from "opossum";
import { Agent, request } from "undici";
import type { RemoteGraphQLDataSource } from "@apollo/gateway";
import { AdaptiveLimiter, limiterSettings, type Release } from "@cinema/platform/admission";
import { budgetFromHeader, DEADLINE_HEADER } from "@cinema/platform/deadline";
import { AppError, busy, ErrorCode, REFUSAL_CODES } from "@cinema/platform/errors";
import { logger } from "@cinema/platform/logger";
import { countShed, trackBreaker } from "@cinema/platform/metrics";
import { breakerRetryAfterSeconds, breakerSettings, isTimeout } from "@cinema/platform/subgraph-client";

type Fetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>["fetcher"]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/**
 * The gateway's deadline per subgraph call when the request's budget is longer: `reserve` runs a
 * saga in the reservation subgraph (its own calls have 2–5 s deadlines); everything else is a read
 * or a short write.
 */
const DEFAULT_TIMEOUT_MS: Record<string, number> = { reservation: 10_000 };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A GraphQL answer's errors (none: not GraphQL, or no errors). */
function answerErrors(text: string): { extensions?: { code?: unknown; reason?: unknown } }[] {
  try {
    const errors = (JSON.parse(text) as { errors?: unknown }).errors;
    return Array.isArray(errors) ? errors : [];
  } catch {
    return [];
  }
}

/** A GraphQL answer whose errors all carry a code a client can act on. */
function typedRefusal(text: string): boolean {
  const errors = answerErrors(text);
  return errors.length > 0 && errors.every((e) => REFUSAL_CODES.has(String(e?.extensions?.code)));
}

/**
 * An answer refusing for overload (Retry-After, `reason: "overload"`): the subgraph was past what
 * it takes. Other refusals with Retry-After (its own dependency down) say nothing about its load.
 */
function shedDownstream(answer: Answer): boolean {
  return answer.headers["retry-after"] !== undefined && answerErrors(answer.text).some((e) => e?.extensions?.reason === "overload");
}

export interface SubgraphFetcher {
  fetcher: Fetcher;
  /** Breaker and limiter, for /health/ready and /metrics. */
  state(): Record<string, unknown>;
}

export function subgraphFetcher(name: string): SubgraphFetcher {
  const settings = breakerSettings(name, { timeoutMs: DEFAULT_TIMEOUT_MS[name] ?? 3_000 });
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: settings.capacity });
  const limiter = new AdaptiveLimiter(name, limiterSettings(name, { max: settings.capacity }));
  const retryAfterSeconds = breakerRetryAfterSeconds(settings);

  const call = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> => {
    const budget = budgetFromHeader(init.headers?.[DEADLINE_HEADER]);
    const timeoutMs = Math.max(1, Math.min(settings.timeoutMs, budget ?? Infinity));
    let answer: Answer;
    try {
      const res = await request(url, {
        method: (init.method ?? "POST") as "POST",
        headers: init.headers,
        body: init.body,
        dispatcher: agent,
        signal: AbortSignal.timeout(timeoutMs),
      });
      answer = { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    } catch (err) {
      const timedOut = isTimeout(err);
      logger.warn({ subgraph: name, timeoutMs, err: (err as Error)?.message }, timedOut ? "subgraph call timed out" : "subgraph unreachable");
      if (timedOut) {
        countShed(name, "timeout");
        throw busy({ serviceName: name, reason: "timeout" });
      }
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, `The ${name} service is unavailable right now; please try again shortly.`, { serviceName: name, retryAfterSeconds: 1 });
    }
    // A 5xx without a typed answer (a crash mid-request, a proxy's error page) is the subgraph failing.
    if (answer.status >= 500 && !typedRefusal(answer.text)) {
      logger.warn({ subgraph: name, status: answer.status, body: answer.text.slice(0, 300) }, "subgraph failed");
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, `The ${name} service could not complete the request; please try again shortly.`, { serviceName: name, retryAfterSeconds: 1 });
    }
    return answer;
  };

  const breaker = new CircuitBreaker(call, {
    timeout: false, // the call has its own deadline (AbortSignal), so a timed-out request is really cancelled
    errorThresholdPercentage: settings.errorThresholdPercentage,
    resetTimeout: settings.resetTimeoutMs,
    volumeThreshold: settings.volumeThreshold,
    // The limiter is the bulkhead here: it adapts to how much the subgraph can take.
    capacity: Number.MAX_SAFE_INTEGER,
  });
  breaker.on("open", () => logger.warn({ subgraph: name }, "gateway circuit breaker opened"));
  breaker.on("close", () => logger.info({ subgraph: name }, "gateway circuit breaker closed"));
  const breakerState = () => (breaker.opened ? "open" : breaker.halfOpen ? "half-open" : "closed");
  trackBreaker({ name: `gateway:${name}`, state: () => ({ state: breakerState() }) });

  const breakerRefusal = () => {
    countShed(name, "breaker_open");
    return busy({ serviceName: name, breaker: "open" }, retryAfterSeconds);
  };
  const fetcher: Fetcher = async (url, init = {}) => {
    // Open: answered at once, without waiting for a slot.
    if (breaker.opened) throw breakerRefusal();
    const release: Release = await limiter.acquire();
    let answer: Answer;
    try {
      answer = await breaker.fire(url, init as Parameters<typeof call>[1]);
    } catch (err) {
      if ((err as { code?: string })?.code === "EOPENBREAKER") {
        release("ignore");
        throw breakerRefusal();
      }
      release("dropped");
      throw err;
    }
    // The subgraph's own admission control shed this request: the limit here was too generous.
    release(shedDownstream(answer) ? "dropped" : "ok");
    return asFetchResponse(url, answer);
  };
  return { fetcher, state: () => ({ breaker: breakerState(), ...limiter.state() }) };
}

/** The part of a Fetch Response that RemoteGraphQLDataSource reads. */
function asFetchResponse(url: string, answer: Answer): FetcherResponse {
  const header = (name: string) => {
    const value = answer.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  };
  // A typed refusal sent with an HTTP error status (a subgraph refusing a spent deadline with 503,
  // a missing identity with 401) is read as the GraphQL answer it is, so its code reaches the client.
  const status = answer.status >= 400 && typedRefusal(answer.text) ? 200 : answer.status;
  const response = {
    ok: status >= 200 && status < 300,
    status,
    statusText: "",
    url,
    redirected: false,
    bodyUsed: true,
    headers: {
      get: header,
      has: (name: string) => header(name) !== null,
      forEach: (cb: (value: string, key: string) => void) => Object.keys(answer.headers).forEach((k) => cb(header(k) ?? "", k)),
      [Symbol.iterator]: () => Object.keys(answer.headers).map((k) => [k, header(k) ?? ""] as [string, string])[Symbol.iterator](),
    },
    text: async () => answer.text,
    json: async () => JSON.parse(answer.text),
    arrayBuffer: async () => new TextEncoder().encode(answer.text).buffer,
    clone: () => response,
  };
  return response as unknown as FetcherResponse;
}
