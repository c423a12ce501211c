import CircuitBreaker from "opossum";
import { Pool } from "undici";
import { internalIdentityHeaders } from "./auth.ts";
import { DEADLINE_HEADER, remainingBudget } from "./deadline.ts";
import { AppError, ErrorCode, busy, serviceUnavailable } from "./errors.ts";
import { intEnv } from "./config.ts";
import { logger } from "./logger.ts";
import { countShed, trackBreaker } from "./metrics.ts";

const PASS_THROUGH = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.SEAT_UNAVAILABLE,
  ErrorCode.PAYMENT_DECLINED,
  ErrorCode.PRICE_CHANGED,
  ErrorCode.VOUCHER_INVALID,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.CONFLICT,
  ErrorCode.FORBIDDEN,
]);

/** Subgraphs call each other as the platform itself: role `service`, in the internal identity header. */
const serviceIdentity = () => internalIdentityHeaders({ id: process.env.SERVICE_NAME ?? "service", role: "service" });

/** A refusal that says nothing about the callee's health: it must not trip the breaker. */
const BUSINESS_REFUSALS = new Set<string>([...PASS_THROUGH].filter((c) => c !== ErrorCode.SERVICE_UNAVAILABLE));
const isBusinessRefusal = (err: unknown) => err instanceof AppError && BUSINESS_REFUSALS.has(err.code);

interface GraphQLResponse {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A call cut off by its deadline (the AbortSignal's timeout), rather than refused or failed. */
export const isTimeout = (err: unknown) => (err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError";

/** When an open breaker may let a call through again, for `retryAfterSeconds` / Retry-After. */
export const breakerRetryAfterSeconds = (settings: Pick<BreakerSettings, "resetTimeoutMs">) => Math.max(1, Math.ceil(settings.resetTimeoutMs / 1000));

export interface BreakerSettings {
  /** Deadline of one call. */
  timeoutMs: number;
  /** Share of failed calls (in the rolling 10 s window) that opens the breaker. */
  errorThresholdPercentage: number;
  /** How long an open breaker refuses before letting one trial call through. */
  resetTimeoutMs: number;
  /** Calls needed in the window before the breaker may open. */
  volumeThreshold: number;
  /** Bulkhead: calls in flight at once; more are refused at once. */
  capacity: number;
}

/** Per dependency from the environment, e.g. SEAT_TIMEOUT_MS, SEAT_BREAKER_ERROR_PERCENT. */
export function breakerSettings(name: string, defaults: Partial<BreakerSettings> = {}): BreakerSettings {
  const key = name.toUpperCase();
  return {
    timeoutMs: intEnv(`${key}_TIMEOUT_MS`, defaults.timeoutMs ?? 2000),
    errorThresholdPercentage: intEnv(`${key}_BREAKER_ERROR_PERCENT`, defaults.errorThresholdPercentage ?? 50),
    resetTimeoutMs: intEnv(`${key}_BREAKER_RESET_MS`, defaults.resetTimeoutMs ?? 5000),
    volumeThreshold: intEnv(`${key}_BREAKER_VOLUME`, defaults.volumeThreshold ?? 10),
    capacity: intEnv(`${key}_BULKHEAD`, defaults.capacity ?? 200),
  };
}

/**
 * A GraphQL client for one other subgraph: a deadline on every call, a circuit breaker with a
 * bulkhead (opossum), the service identity, and the callee's typed refusals re-thrown as ours.
 * A timeout, a connection failure or an open breaker becomes SERVICE_UNAVAILABLE;
 * `outcomeUnknown` tells the caller the request may have taken effect.
 */
export class SubgraphClient {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly breaker: CircuitBreaker<[string, Record<string, unknown>], unknown>;
  private readonly timeoutMs: number;
  private readonly retryAfterSeconds: number;

  readonly name: string;

  constructor(name: string, url: string, settings: BreakerSettings) {
    this.name = name;
    // undici's own request API on a keep-alive pool: a fraction of the CPU of fetch per call.
    const target = new URL(url);
    this.pool = new Pool(target.origin, { connections: settings.capacity, keepAliveTimeout: 30_000 });
    this.path = `${target.pathname}${target.search}`;
    this.timeoutMs = settings.timeoutMs;
    this.retryAfterSeconds = breakerRetryAfterSeconds(settings);
    this.breaker = new CircuitBreaker((document: string, variables: Record<string, unknown>) => this.call(document, variables), {
      timeout: false, // the call has its own deadline (AbortSignal), so a timed-out request is really cancelled
      errorThresholdPercentage: settings.errorThresholdPercentage,
      resetTimeout: settings.resetTimeoutMs,
      volumeThreshold: settings.volumeThreshold,
      capacity: settings.capacity,
      errorFilter: isBusinessRefusal,
    });
    this.breaker.on("open", () => logger.warn({ subgraph: name }, "circuit breaker opened"));
    this.breaker.on("close", () => logger.info({ subgraph: name }, "circuit breaker closed"));
    trackBreaker(this);
  }

  /** False while the breaker is open: callers can refuse before starting work that would need it. */
  accepting(): boolean {
    return !this.breaker.opened;
  }

  /** For health and metrics: closed, open or half-open, and the rolling counts. */
  state() {
    const { fires, failures, rejects, successes, timeouts } = this.breaker.stats;
    return {
      state: this.breaker.opened ? "open" : this.breaker.halfOpen ? "half-open" : "closed",
      fires,
      successes,
      failures,
      rejects,
      timeouts,
    };
  }

  async request<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    // The caller's budget is spent: its answer would reach nobody, so the callee is not asked
    // (and its breaker hears nothing: this says nothing about its health).
    const left = remainingBudget();
    if (left !== undefined && left <= 0) {
      countShed(this.name, "deadline_spent");
      throw busy({ dependency: this.name, reason: "deadline" });
    }
    try {
      return (await this.breaker.fire(document, variables)) as T;
    } catch (err) {
      const code = (err as { code?: string })?.code;
      if (code === "EOPENBREAKER" || code === "ESEMLOCKED") {
        countShed(this.name, code === "EOPENBREAKER" ? "breaker_open" : "bulkhead_full");
        throw busy({ dependency: this.name, breaker: code === "EOPENBREAKER" ? "open" : "full" }, this.retryAfterSeconds);
      }
      throw err;
    }
  }

  private async call(document: string, variables: Record<string, unknown>): Promise<unknown> {
    let response: GraphQLResponse;
    let status: number;
    // Our own deadline for this callee, or what is left of the caller's, whichever ends first;
    // the callee gets the same budget to spend on its own calls and statements.
    const timeoutMs = Math.max(1, Math.min(this.timeoutMs, remainingBudget() ?? Infinity));
    try {
      const res = await this.pool.request({
        method: "POST",
        path: this.path,
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          [DEADLINE_HEADER]: String(timeoutMs),
          ...(await serviceIdentity()),
        },
        body: JSON.stringify({ query: document, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.statusCode;
      response = (await res.body.json()) as GraphQLResponse;
    } catch (err) {
      throw this.unreachable(err);
    }
    if (response.errors?.length || response.data == null) throw this.refused(response, status);
    return response.data;
  }

  /** The callee answered with errors: its typed refusals pass through, anything else is "unavailable". */
  private refused(response: GraphQLResponse, status: number): AppError {
    const first = response.errors?.[0];
    const code = String(first?.extensions?.code ?? "");
    if (first && PASS_THROUGH.has(code)) return new AppError(code as ErrorCode, first.message, { ...first.extensions, code });
    logger.error({ subgraph: this.name, errors: response.errors, status }, "subgraph call failed");
    return serviceUnavailable(`The ${this.name} service could not complete the request; please try again shortly.`);
  }

  private unreachable(err: unknown): AppError {
    const timedOut = isTimeout(err);
    logger.warn({ subgraph: this.name, err: (err as Error)?.message }, timedOut ? "subgraph call timed out" : "subgraph unreachable");
    return new AppError(
      ErrorCode.SERVICE_UNAVAILABLE,
      timedOut
        ? `The ${this.name} service did not answer in time; please try again shortly.`
        : `The ${this.name} service is unavailable right now; please try again shortly.`,
      { outcomeUnknown: timedOut },
    );
  }
}
