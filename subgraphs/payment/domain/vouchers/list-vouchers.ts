import { z } from "zod";
import { badInput } from "@cinema/platform/errors";
import { idSchema } from "@cinema/platform/validation";
import type { PaymentDb } from "../../data.ts";
import type { Prisma, Voucher } from "../../generated/prisma/client.ts";
import { normalizeVoucherCode } from "@cinema/platform/voucher-code";

/** As staff see a voucher: ACTIVE ones past their expiry are EXPIRED (the row stays ACTIVE: nothing runs to expire it). */
export type VoucherState = "ACTIVE" | "REDEEMED" | "EXPIRED";
export const voucherState = (v: Pick<Voucher, "status" | "expiresAt">, now = new Date()): VoucherState =>
  v.status === "REDEEMED" ? "REDEEMED" : v.expiresAt && v.expiresAt <= now ? "EXPIRED" : "ACTIVE";

export const listVouchersArgs = z.object({
  status: z.enum(["ACTIVE", "REDEEMED", "EXPIRED"]).nullish(),
  cinemaId: idSchema.nullish(),
  /** One code (as typed: case and hyphens do not matter), whatever its state. */
  code: z.string().max(40).nullish(),
  first: z.number().int().min(1, "must be between 1 and 200").max(200, "must be between 1 and 200").nullish(),
  after: z.string().max(100).nullish(),
});

// Cursor = "<createdAt ms>_<code>": newest first, stable while more are issued.
const encodeCursor = (v: Voucher) => Buffer.from(`${v.createdAt.getTime()}_${v.code}`).toString("base64url");
function decodeCursor(cursor: string): { createdAt: Date; code: string } {
  const [ms, code, ...rest] = Buffer.from(cursor, "base64url").toString().split("_");
  if (!ms || !code || rest.length || !/^\d{1,15}$/.test(ms) || !normalizeVoucherCode(code)) throw badInput("after", "after: not a cursor returned by this API");
  return { createdAt: new Date(Number(ms)), code };
}

/** Staff: a page of vouchers, newest first, filtered by state, cinema or code. */
export async function listVouchers(db: PaymentDb, args: z.infer<typeof listVouchersArgs>) {
  const first = args.first ?? 50;
  const now = new Date();
  const after = args.after ? decodeCursor(args.after) : null;
  const state: Prisma.VoucherWhereInput =
    args.status === "REDEEMED"
      ? { status: "REDEEMED" }
      : args.status === "EXPIRED"
        ? { status: "ACTIVE", expiresAt: { lte: now } }
        : args.status === "ACTIVE"
          ? { status: "ACTIVE", OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }
          : {};
  const where: Prisma.VoucherWhereInput = {
    AND: [
      state,
      args.cinemaId ? { cinemaId: args.cinemaId } : {},
      // A code that cannot exist matches nothing (rather than every voucher).
      args.code != null ? { code: normalizeVoucherCode(args.code) ?? "" } : {},
      after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, code: { lt: after.code } }] } : {},
    ],
  };
  const rows = await db.voucher.findMany({ where, orderBy: [{ createdAt: "desc" }, { code: "desc" }], take: first + 1 });
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last) : null };
}
