import type { RawSql } from "@cinema/platform/outbox";

/**
 * Gives a payment's vouchers back (ACTIVE, usable again): all of them when its booking failed or was
 * cancelled, or those of `seats` when only some seats were. Idempotent: a voucher already given
 * back (or redeemed since by another booking) is not touched. Returns the codes given back.
 */
export async function releaseVouchers(db: RawSql, paymentId: string, seats?: string[]): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ code: string }[]>(
    `UPDATE voucher SET status = 'ACTIVE', payment_id = NULL, seat = NULL, redeemed_at = NULL
      WHERE payment_id = $1::uuid AND status = 'REDEEMED' AND ($2::text[] IS NULL OR seat = ANY($2::text[]))
      RETURNING code`,
    paymentId,
    seats ?? null,
  );
  return rows.map((r) => r.code);
}
