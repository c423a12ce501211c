/**
 * The payment provider port. A real processor (a PG company's API, Stripe, …) implements this;
 * the default is the simulated card processor next to it.
 */
export interface ChargeRequest {
  amountCents: number;
  currency: string;
  /** A card token from the processor's client-side SDK, never a card number. */
  token: string;
  /** The processor must charge at most once per key. */
  idempotencyKey: string;
}

export type ChargeResult = { ok: true; reference: string } | { ok: false; declineReason: string };

export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /**
   * Gives the whole charge back (a void before settlement, a refund after). The processor must
   * refund at most once per idempotency key, so a retried refund is harmless.
   */
  refund(reference: string, amountCents: number, idempotencyKey: string): Promise<void>;
}

/** The processor could not be reached or failed: the charge did not happen. */
export class ProviderUnavailableError extends Error {
  override name = "ProviderUnavailableError";
}
