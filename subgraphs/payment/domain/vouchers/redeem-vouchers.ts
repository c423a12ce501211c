import type { RawSql } from "@cinema/platform/outbox";
import type { PaymentDb } from "../../data.ts";
import { voucherProblem, voucherRefusal } from "./voucher-refusal.ts";
import type { AppError } from "@cinema/platform/errors";

/** A voucher paying one seat of a booking. */
export interface VoucherSeat {
  code: string;
  seat: string;
  seatClass: string;
}

/**
 * Redeems each voucher for its seat with one conditional UPDATE (ACTIVE, the seat's class, this
 * cinema or any, not expired): of bookings racing for a code, the first UPDATE wins and the others
 * find it REDEEMED once its row lock is released. Codes go in a fixed order so two bookings sharing
 * several lock them in the same order (no deadlock). Runs in the payment claim's transaction; the
 * first voucher that would not redeem is returned, for the caller to roll everything back.
 */
export async function redeemVouchers(tx: RawSql, paymentId: string, cinemaId: string, uses: VoucherSeat[]): Promise<VoucherSeat | null> {
  for (const use of [...uses].sort((a, b) => (a.code < b.code ? -1 : 1))) {
    const redeemed = await tx.$executeRawUnsafe(
      `UPDATE voucher SET status = 'REDEEMED', payment_id = $2::uuid, seat = $3, redeemed_at = now()
        WHERE code = $1 AND status = 'ACTIVE' AND seat_class = $4 AND (cinema_id IS NULL OR cinema_id = $5::uuid)
          AND (expires_at IS NULL OR expires_at > now())`,
      use.code, paymentId, use.seat, use.seatClass, cinemaId,
    );
    if (redeemed !== 1) return use;
  }
  return null;
}

/** Thrown inside the claim's transaction so that nothing of it (claim, other vouchers) stays. */
export class VoucherNotRedeemed extends Error {
  override name = "VoucherNotRedeemed";
  readonly use: VoucherSeat;
  constructor(use: VoucherSeat) {
    super(`voucher ${use.code} not redeemed`);
    this.use = use;
  }
}

/**
 * Why a voucher did not redeem, read after the rollback. A voucher that looks usable again by now
 * was held by a booking racing for it (which has since failed): for this booking it was taken.
 */
export async function redeemRefusal(db: PaymentDb, use: VoucherSeat, cinemaId: string): Promise<AppError> {
  const voucher = await db.voucher.findUnique({ where: { code: use.code } });
  const context = { seat: use.seat, seatClass: use.seatClass, cinemaId };
  return voucherRefusal(use.code, voucherProblem(voucher, context) ?? "ALREADY_USED", context, voucher);
}
