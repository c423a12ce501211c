// Admission control: how much work a process lets in at once, so that beyond capacity a request is
// refused at once (typed, with Retry-After) instead of queueing for seconds. An adaptive
// concurrency limit in the style of Netflix's concurrency-limits AIMD: the limit grows by one for
// each answer within the latency target while it is in use, and shrinks by a tenth for one slower
// than the target, a timeout or a failure, at most once per round trip (TCP's rule: only work let in
// after the last decrease may decrease it again); a limit that shrank also grows back by one per latency
// target of time without a slow answer, so a burst long past does not keep the next one small.
// Work beyond the limit waits for a slot: after a quiet spell a few (a quarter of the limit) may
// wait, and are let in past the limit after `burstTimeoutMs` (a small burst is absorbed, not
// refused after waiting), the rest are refused at once; while the
// limiter has refused work within the last `overloadMemoryMs` (sustained overload) work waits
// only `queueTimeoutMs`, and not at all when its predicted wait (its place in the queue × the
// mean latency ÷ the limit) is longer, as CoDel drops from a standing queue. Hand-written because
// npm has no maintained adaptive limiter (overload-protection and toobusy-js watch event-loop lag,
// which says nothing about a saturated database or subgraph behind this process).
import { intEnv } from "./config.ts";
import { busy } from "./errors.ts";
import { countShed } from "./metrics.ts";

export interface LimiterSettings {
  /** The limit never goes below this (and starts at `max`: nothing is refused until latency says so). */
  min: number;
  max: number;
  /** An answer slower than this is a sign of saturation. */
  latencyTargetMs: number;
  /** Longest wait for a slot while overloaded (a refusal within overloadMemoryMs); past it the request is refused. */
  queueTimeoutMs: number;
  /** Longest wait for a slot otherwise (a burst after quiet); then it is let in past the limit. */
  burstTimeoutMs: number;
  overloadMemoryMs: number;
}

/**
 * From the environment, e.g. RESERVATION_CONCURRENCY_MIN, RESERVATION_LATENCY_TARGET_MS,
 * RESERVATION_QUEUE_TIMEOUT_MS, RESERVATION_BURST_TIMEOUT_MS.
 */
export function limiterSettings(name: string, defaults: Partial<LimiterSettings> & { max: number }): LimiterSettings {
  const key = name.toUpperCase();
  const max = intEnv(`${key}_CONCURRENCY_MAX`, defaults.max);
  return {
    min: Math.min(max, intEnv(`${key}_CONCURRENCY_MIN`, defaults.min ?? 8)),
    max,
    latencyTargetMs: intEnv(`${key}_LATENCY_TARGET_MS`, defaults.latencyTargetMs ?? 300),
    queueTimeoutMs: intEnv(`${key}_QUEUE_TIMEOUT_MS`, defaults.queueTimeoutMs ?? 20),
    burstTimeoutMs: intEnv(`${key}_BURST_TIMEOUT_MS`, defaults.burstTimeoutMs ?? 500),
    overloadMemoryMs: defaults.overloadMemoryMs ?? 250,
  };
}

/** What became of admitted work: `ok` (counts its latency), `dropped` (timed out or failed: shrink), `ignore`. */
export type Outcome = "ok" | "dropped" | "ignore";
export type Release = (outcome: Outcome) => void;

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

export class AdaptiveLimiter {
  private limit: number;
  private inFlight = 0;
  /** When work was last refused. */
  private lastRefusedAt = -Infinity;
  /** Moving average of admitted work's latency (ms). */
  private meanLatencyMs = 0;
  /** Since when no answer has been slow (or since the limit last grew for it). */
  private calmSince = 0;
  /** When the limit last decreased. */
  private shrunkAt = -Infinity;
  /** The refusal, built once: refusals come by the thousand per second under overload. */
  private readonly refusal: Error;
  private readonly waiting: Waiter[] = [];
  private readonly settings: LimiterSettings;
  readonly name: string;

  constructor(name: string, settings: LimiterSettings) {
    this.name = name;
    this.settings = settings;
    this.limit = settings.max;
    this.refusal = busy({ dependency: name, reason: "overload" });
  }

  /** For health and metrics. */
  state() {
    return { limit: Math.floor(this.limit), inFlight: this.inFlight, waiting: this.waiting.length };
  }

  /**
   * A slot, or (after at most queueTimeoutMs) SERVICE_UNAVAILABLE with the busy message. Call the
   * returned release exactly once when the work has ended.
   */
  async acquire(): Promise<Release> {
    const now = Date.now();
    const calmSteps = Math.floor((now - this.calmSince) / this.settings.latencyTargetMs);
    if (calmSteps > 0 && this.limit < this.settings.max) {
      this.limit = Math.min(this.settings.max, this.limit + calmSteps);
      this.calmSince = now;
    }
    if (this.inFlight >= Math.floor(this.limit)) {
      const overloaded = now - this.lastRefusedAt < this.settings.overloadMemoryMs;
      const waitMs = overloaded ? this.settings.queueTimeoutMs : this.settings.burstTimeoutMs;
      const predictedWaitMs = ((this.waiting.length + 1) * this.meanLatencyMs) / Math.max(1, Math.floor(this.limit));
      const mayWait = overloaded ? predictedWaitMs <= waitMs : this.waiting.length < Math.max(2, this.limit / 4);
      if (waitMs <= 0 || !mayWait) throw this.refuse();
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          admit: () => {
            clearTimeout(waiter.timer);
            resolve();
          },
          timer: setTimeout(() => {
            this.waiting.splice(this.waiting.indexOf(waiter), 1);
            if (overloaded) return reject(this.refuse());
            // The few of a burst are let in past the limit rather than refused after their wait.
            this.inFlight++;
            resolve();
          }, waitMs),
        };
        this.waiting.push(waiter);
      });
    } else {
      this.inFlight++;
    }
    const started = Date.now();
    let released = false;
    return (outcome) => {
      if (released) return;
      released = true;
      this.adapt(outcome, started, Date.now() - started);
      this.inFlight--;
      this.admitWaiting();
    };
  }

  private adapt(outcome: Outcome, startedAt: number, latencyMs: number) {
    if (outcome === "ignore") return;
    this.meanLatencyMs = this.meanLatencyMs === 0 ? latencyMs : 0.9 * this.meanLatencyMs + 0.1 * latencyMs;
    const { min, max, latencyTargetMs } = this.settings;
    if (outcome === "dropped" || latencyMs > latencyTargetMs) {
      // At most one decrease per round trip, as TCP's congestion window: only work let in after
      // the last decrease may decrease it again. A stall that slows every answer in flight at once
      // (a GC pause, a busy neighbour on shared cores) would otherwise cut the limit by a tenth per
      // answer, 24 to the minimum at once, and leave the cores idle while it grows back.
      if (startedAt >= this.shrunkAt) {
        this.limit = Math.max(min, this.limit * 0.9);
        this.shrunkAt = Date.now();
      }
      this.calmSince = Date.now();
    }
    // Grow only while the limit is what holds work back (at least half of it in use).
    else if (this.inFlight * 2 >= this.limit) this.limit = Math.min(max, this.limit + 1);
  }

  private admitWaiting() {
    while (this.waiting.length > 0 && this.inFlight < Math.floor(this.limit)) {
      this.inFlight++;
      this.waiting.shift()!.admit();
    }
  }

  private refuse() {
    this.lastRefusedAt = Date.now();
    countShed(this.name, "overload");
    return this.refusal;
  }
}

