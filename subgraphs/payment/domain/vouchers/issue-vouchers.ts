import { z } from "zod";
import { idSchema, plainText } from "@cinema/platform/validation";
import { badInput } from "@cinema/platform/errors";
import type { PaymentDb } from "../../data.ts";
import type { Voucher } from "../../generated/prisma/client.ts";
import { SEAT_CLASSES } from "../price-rules.ts";
import { newVoucherCode } from "@cinema/platform/voucher-code";

/** The most codes one call issues (a promotion's batch); more are issued in several calls. */
export const MAX_VOUCHERS_PER_ISSUE = 1000;

export const issueVouchersInput = z.object({
  seatClass: z.enum(SEAT_CLASSES),
  count: z.number().int().min(1, "must be at least 1").max(MAX_VOUCHERS_PER_ISSUE, `must be at most ${MAX_VOUCHERS_PER_ISSUE}`),
  /** Null: good at every cinema of the chain. */
  cinemaId: idSchema.nullish(),
  label: plainText(100).nullish(),
  expiresAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).nullish(),
});
export type IssueVouchersInput = z.infer<typeof issueVouchersInput>;

/**
 * Staff issue `count` new codes for one seat class, all in one statement. A code that happens to
 * exist already (60 random bits: practically never) is skipped and drawn again.
 */
export async function issueVouchers(db: PaymentDb, input: IssueVouchersInput, issuedBy: string): Promise<Voucher[]> {
  if (input.expiresAt && input.expiresAt <= new Date()) throw badInput("input.expiresAt", "input.expiresAt: must be in the future.");
  const issued: Voucher[] = [];
  while (issued.length < input.count) {
    const codes = new Set(Array.from({ length: input.count - issued.length }, newVoucherCode));
    const rows = await db.voucher.createManyAndReturn({
      data: [...codes].map((code) => ({
        code,
        seatClass: input.seatClass,
        cinemaId: input.cinemaId ?? null,
        label: input.label ?? null,
        expiresAt: input.expiresAt ?? null,
        issuedBy,
      })),
      skipDuplicates: true,
    });
    issued.push(...rows);
  }
  return issued.sort((a, b) => (a.code < b.code ? -1 : 1));
}
