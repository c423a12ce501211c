// The adaptive admission limit (platform admission.ts) on its own, without a stack: how it lets
// work wait, refuses it, shrinks and grows. The stack-level behaviour is in test/faults/overload.test.ts.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AdaptiveLimiter } from "@cinema/platform/admission";
import { BUSY_MESSAGE } from "@cinema/platform/errors";

describe("the adaptive admission limit", () => {
  const settings = { min: 2, max: 4, latencyTargetMs: 50, queueTimeoutMs: 20, burstTimeoutMs: 300, overloadMemoryMs: 1_000 };

  it("absorbs a small burst after quiet, refuses the rest at once, typed, saying when to come back", async () => {
    const limiter = new AdaptiveLimiter("test", { ...settings, latencyTargetMs: 10_000 });
    const held = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()));
    // After quiet: two may wait for a slot; the next is refused without waiting.
    const first = limiter.acquire();
    const second = limiter.acquire();
    const started = Date.now();
    await expect(limiter.acquire()).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", message: BUSY_MESSAGE, extensions: { retryAfterSeconds: 1, reason: "overload" } });
    expect(Date.now() - started).toBeLessThan(100);
    held[0]!("ok");
    const releases = [await first];
    // No slot frees for the second: it is let in past the limit after the burst wait, not refused.
    releases.push(await second);
    expect(Date.now() - started).toBeGreaterThanOrEqual(settings.burstTimeoutMs - 20);
    [...releases, ...held.slice(1)].forEach((r) => r("ok"));
  });

  it("shrinks while answers are slower than the target and grows back while they are fast", async () => {
    const limiter = new AdaptiveLimiter("test", settings);
    await answerSlowly(limiter, 10);
    expect(limiter.state().limit).toBe(settings.min);
    for (let i = 0; i < 10; i++) {
      const releases = await Promise.all([limiter.acquire(), limiter.acquire()]);
      releases.forEach((r) => r("ok"));
    }
    expect(limiter.state().limit).toBe(settings.max);
  });

  it("decreases at most once per round trip: a stall that slows every answer in flight cuts the limit once", async () => {
    const limiter = new AdaptiveLimiter("test", { ...settings, min: 2, max: 20 });
    // Twenty let in together, all answering slower than the target (one stall): one decrease, 20 → 18.
    const held = await Promise.all(Array.from({ length: 20 }, () => limiter.acquire()));
    await sleep(60);
    held.forEach((release) => release("ok"));
    expect(limiter.state().limit).toBe(18);
    // Work let in after that decrease may decrease it again; a failure counts as a slow answer.
    const next = await limiter.acquire();
    next("dropped");
    expect(limiter.state().limit).toBe(16);
  });

  it("grows a shrunk limit back with time when no answer has been slow", async () => {
    const limiter = new AdaptiveLimiter("test", settings);
    await answerSlowly(limiter, 10);
    expect(limiter.state().limit).toBe(settings.min);
    await sleep(2 * settings.latencyTargetMs + 20);
    (await limiter.acquire())("ignore");
    expect(limiter.state().limit).toBe(settings.max);
  });
});

/** `n` answers one after another, each slower (60 ms) than the latency target. */
async function answerSlowly(limiter: AdaptiveLimiter, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const release = await limiter.acquire();
    await sleep(60);
    release("ok");
  }
}
