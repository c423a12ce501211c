import { AppError, ErrorCode } from "@cinema/platform/errors";
import type { Voucher } from "../../generated/prisma/client.ts";

/** Why a voucher cannot pay (extensions.reason of VOUCHER_INVALID). */
export type VoucherProblem = "UNKNOWN" | "ALREADY_USED" | "WRONG_CLASS" | "OTHER_CINEMA" | "EXPIRED";

/** Where a voucher is to be used: the seat's class and the screening's cinema, when known. */
export interface VoucherUse {
  seatClass?: string | null;
  cinemaId?: string | null;
  /** The booking's seat, named in the refusal. */
  seat?: string | null;
}

/**
 * The one rule of which voucher pays where, as the redeeming UPDATE (redeem-vouchers.ts) applies
 * it: null when `voucher` can pay for `use` now, else the first reason it cannot.
 */
export function voucherProblem(voucher: Pick<Voucher, "status" | "seatClass" | "cinemaId" | "expiresAt"> | null, use: VoucherUse, now = new Date()): VoucherProblem | null {
  if (!voucher) return "UNKNOWN";
  if (voucher.status !== "ACTIVE") return "ALREADY_USED";
  if (voucher.expiresAt && voucher.expiresAt <= now) return "EXPIRED";
  if (use.seatClass && voucher.seatClass !== use.seatClass) return "WRONG_CLASS";
  if (use.cinemaId && voucher.cinemaId && voucher.cinemaId !== use.cinemaId) return "OTHER_CINEMA";
  return null;
}

const className = (seatClass: string) => seatClass.toLowerCase();

/** VOUCHER_INVALID naming the code, the reason and (in a booking) the seat, in words. */
export function voucherRefusal(code: string, problem: VoucherProblem, use: VoucherUse, voucher?: Pick<Voucher, "seatClass" | "expiresAt"> | null): AppError {
  const why: Record<VoucherProblem, string> = {
    UNKNOWN: `there is no voucher ${code}; please check the code`,
    ALREADY_USED: `voucher ${code} has already been used`,
    WRONG_CLASS: `voucher ${code} pays for a ${className(voucher?.seatClass ?? "other")} seat${use.seatClass ? `, not a ${className(use.seatClass)} one` : ""}`,
    OTHER_CINEMA: `voucher ${code} is valid only at another cinema`,
    EXPIRED: `voucher ${code} expired${voucher?.expiresAt ? ` on ${voucher.expiresAt.toISOString().slice(0, 10)}` : ""}`,
  };
  const text = why[problem];
  const message = use.seat
    ? `Seat ${use.seat}: ${text}. You were not charged; please remove the voucher or use another.`
    : `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  return new AppError(ErrorCode.VOUCHER_INVALID, message, {
    voucherCode: code,
    reason: problem,
    ...(use.seat && { seat: use.seat }),
    ...(problem === "WRONG_CLASS" && voucher && { voucherSeatClass: voucher.seatClass, seatClass: use.seatClass ?? null }),
  });
}
