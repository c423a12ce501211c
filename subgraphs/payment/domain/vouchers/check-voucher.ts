import { z } from "zod";
import { idSchema } from "@cinema/platform/validation";
import type { PaymentDb } from "../../data.ts";
import type { Voucher } from "../../generated/prisma/client.ts";
import { SEAT_CLASSES } from "../price-rules.ts";
import { normalizeVoucherCode } from "@cinema/platform/voucher-code";
import { voucherProblem, voucherRefusal } from "./voucher-refusal.ts";

export const checkVoucherArgs = z.object({
  code: z.string().max(40),
  /** The seat's class, when the customer has chosen it: a voucher for another class is refused. */
  seatClass: z.enum(SEAT_CLASSES).nullish(),
  /** The screening's cinema: a voucher of another cinema is refused. */
  cinemaId: idSchema.nullish(),
});

/**
 * A customer checks a code before paying: the voucher when it can pay (for that class and cinema,
 * when given), else VOUCHER_INVALID saying why, as a booking with it would be refused.
 */
export async function checkVoucher(db: PaymentDb, args: z.infer<typeof checkVoucherArgs>): Promise<Voucher> {
  const code = normalizeVoucherCode(args.code);
  const voucher = code ? await db.voucher.findUnique({ where: { code } }) : null;
  const problem = voucherProblem(voucher, args);
  if (problem) throw voucherRefusal(code ?? args.code.trim(), problem, args, voucher);
  return voucher!;
}
