// The adaptive admission limit (platform admission.ts) on its own, without a stack: how it lets
// work wait, refuses it, shrinks and grows. The stack-level behaviour is in test/faults/overload.test.ts.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AdaptiveLimiter } from "@cinema/platform/admission";
import { BUSY_MESSAGE } from "@cinema/platform/errors";

describe("the adaptive admission limit", () => {
  const settings = { min: 2, max: 4, latencyTargetMs: 50, queueTimeoutMs: 20, burstTimeoutMs: 300, overloadMemoryMs: 1_000 };

  it("absorbs a burst after quiet; once it has had to refuse, refuses at once, typed, saying when to come back", async () => {
    const limiter = new AdaptiveLimiter("test", { ...settings, latencyTargetMs: 10_000 });
    const held = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()));
    // After quiet: a burst, so the fifth waits for a slot (and gets the one freed meanwhile).
    const queued = limiter.acquire();
    await sleep(50);
    held[0]!("ok");
    const release = await queued;
    // Nothing frees a slot: refused after the burst wait, typed.
    const first = await limiter.acquire().catch((err: unknown) => err);
    expect(first).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: BUSY_MESSAGE, extensions: { retryAfterSeconds: 1, reason: "overload" } });
    // Overloaded now: the next is refused after the short wait.
    const started = Date.now();
    await expect(limiter.acquire()).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    expect(Date.now() - started).toBeLessThan(150);
    release("ok");
    held.slice(1).forEach((r) => r("ok"));
  });

  it("shrinks while answers are slower than the target and grows back while they are fast", async () => {
    const limiter = new AdaptiveLimiter("test", settings);
    for (let i = 0; i < 10; i++) {
      const release = await limiter.acquire();
      await sleep(60);
      release("ok");
    }
    expect(limiter.state().limit).toBe(settings.min);
    for (let i = 0; i < 10; i++) {
      const releases = await Promise.all([limiter.acquire(), limiter.acquire()]);
      releases.forEach((r) => r("ok"));
    }
    expect(limiter.state().limit).toBe(settings.max);
  });

  it("grows a shrunk limit back with time when no answer has been slow", async () => {
    const limiter = new AdaptiveLimiter("test", settings);
    for (let i = 0; i < 10; i++) {
      const release = await limiter.acquire();
      await sleep(60);
      release("ok");
    }
    expect(limiter.state().limit).toBe(settings.min);
    await sleep(2 * settings.latencyTargetMs + 20);
    (await limiter.acquire())("ignore");
    expect(limiter.state().limit).toBe(settings.max);
  });
});
