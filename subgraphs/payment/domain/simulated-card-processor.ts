import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ProviderUnavailableError, type ChargeRequest, type ChargeResult, type PaymentProvider } from "./provider.ts";

/**
 * Test card tokens in the manner of well-known processors. Any other token is declined as
 * invalid, as a real processor would refuse a token it never issued.
 */
export const TEST_TOKENS: Record<string, string | null> = {
  tok_visa: null,
  tok_mastercard: null,
  tok_amex: null,
  tok_chargeDeclined: "Your card was declined.",
  tok_chargeDeclinedInsufficientFunds: "Your card has insufficient funds.",
  tok_chargeDeclinedExpiredCard: "Your card has expired.",
};

export interface SimulationSettings {
  /** Added to every call, to exercise timeouts. */
  latencyMs: number;
  /** Share of calls (0..1) that fail as if the processor were down. */
  failureRate: number;
}

export class SimulatedCardProcessor implements PaymentProvider {
  readonly name = "simulated";
  private readonly charges = new Map<string, string>(); // idempotency key → reference
  private readonly refunds = new Set<string>(); // idempotency keys of refunds done

  private readonly settings: SimulationSettings;
  constructor(settings: SimulationSettings) {
    this.settings = settings;
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    await this.network();
    const existing = this.charges.get(request.idempotencyKey);
    if (existing) return { ok: true, reference: existing };
    if (!(request.token in TEST_TOKENS)) return { ok: false, declineReason: "The card token is not valid." };
    const decline = TEST_TOKENS[request.token];
    if (decline) return { ok: false, declineReason: decline };
    const reference = `ch_sim_${randomUUID().replaceAll("-", "")}`;
    this.charges.set(request.idempotencyKey, reference);
    return { ok: true, reference };
  }

  async refund(_reference: string, _amountCents: number, idempotencyKey: string): Promise<void> {
    await this.network();
    this.refunds.add(idempotencyKey);
  }

  private async network() {
    if (this.settings.latencyMs > 0) await sleep(this.settings.latencyMs);
    if (this.settings.failureRate > 0 && Math.random() < this.settings.failureRate) {
      throw new ProviderUnavailableError("The card processor is not responding.");
    }
  }
}
