import DataLoader from "dataloader";
import { z } from "zod";
import { canSee, requireAdmin, requireService, requireUser } from "@cinema/platform/auth";
import type { RequestContext } from "@cinema/platform/server";
import { idSchema, isId, parseInput } from "@cinema/platform/validation";
import type { PaymentDb } from "./data.ts";
import type { Payment } from "./generated/prisma/client.ts";
import { capturePayment } from "./domain/capture-payment.ts";
import { isTimeZone } from "@cinema/platform/time-zone";
import { captureLines, pricingLines, quoteScreening, type QuotedScreening } from "./domain/price-quote.ts";
import { priceRulesInput } from "./domain/price-rules-input.ts";
import { SEAT_CLASSES, TICKET_TYPES } from "./domain/price-rules.ts";
import { defaultsFor, loadPriceRules, type CinemaPriceRules } from "./domain/price-rules-store.ts";
import type { PaymentProvider } from "./domain/provider.ts";
import { setPriceRules } from "./domain/set-price-rules.ts";
import { voidPayment } from "./domain/void-payment.ts";
import type { Voucher } from "./generated/prisma/client.ts";
import { checkVoucher, checkVoucherArgs } from "./domain/vouchers/check-voucher.ts";
import { issueVouchers, issueVouchersInput } from "./domain/vouchers/issue-vouchers.ts";
import { listVouchers, listVouchersArgs, voucherState } from "./domain/vouchers/list-vouchers.ts";
import { normalizeVoucherCode } from "@cinema/platform/voucher-code";
import type { PriceBreakdown } from "./domain/pricing.ts";
import { cardCents } from "@cinema/platform/events";

export interface PaymentContext extends RequestContext {
  db: PaymentDb;
  provider: PaymentProvider;
  loaders: ReturnType<typeof createLoaders>;
}

export function createLoaders(db: PaymentDb) {
  return {
    byReservation: new DataLoader<string, Payment | null>(async (ids) => {
      const rows = await db.payment.findMany({ where: { reservationId: { in: ids.filter(isId) } } });
      const map = new Map(rows.map((p) => [p.reservationId, p]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    /** Payments by id (who redeemed a voucher, on the staff list). */
    byId: new DataLoader<string, Payment | null>(async (ids) => {
      const rows = await db.payment.findMany({ where: { id: { in: [...ids] } } });
      const map = new Map(rows.map((p) => [p.id, p]));
      return ids.map((id) => map.get(id) ?? null);
    }),
    // Cinema ids are the movie subgraph's uuids; anything else cannot have saved rules.
    priceRules: new DataLoader<string, CinemaPriceRules>(async (ids) => {
      const own = new Map((await loadPriceRules(db, ids.filter(isId))).map((r) => [r.cinemaId, r]));
      return ids.map((id) => own.get(id) ?? defaultsFor(id));
    }),
  };
}

const customerId = z.string().min(1).max(200);
const currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code");
const captureArgs = z.object({
  reservationId: idSchema,
  customerId,
  currency,
  paymentToken: z.string().min(1).max(200).nullish(),
  pricing: z.object({
    cinemaId: idSchema,
    timeZone: z.string().max(100).refine(isTimeZone, "must be an IANA time zone like Asia/Seoul"),
    startsAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    basePriceCents: z.number().int().min(0, "must not be negative").max(10_000_000),
    lines: captureLines.min(1, "must name at least one seat"),
  }),
  expectedTotalCents: z.number().int().min(0).nullish(),
});
const voidArgs = z.object({ reservationId: idSchema, customerId, amountCents: z.number().int().min(0), currency });

/** Rules as GraphQL shows them: every class and type listed, in the enums' order. */
const priceRulesView = (r: CinemaPriceRules) => ({
  cinemaId: r.cinemaId,
  currency: r.currency,
  seatClasses: SEAT_CLASSES.map((seatClass) => ({ seatClass, surchargeCents: r.seatClasses[seatClass] })),
  ticketTypes: TICKET_TYPES.map((ticketType) => ({ ticketType, discountCents: r.ticketTypes[ticketType] })),
  timeRules: r.timeRules,
  updatedAt: r.updatedAt?.toISOString() ?? null,
});

export const resolvers = {
  Reservation: {
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    payment: async ({ id }: { id: string }, _: unknown, { viewer, loaders }: PaymentContext) => {
      const payment = await loaders.byReservation.load(id);
      return payment && canSee(viewer, payment.customerId) ? payment : null;
    },
  },
  Cinema: {
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    priceRules: async ({ id }: { id: string }, _: unknown, { loaders }: PaymentContext) => priceRulesView(await loaders.priceRules.load(id)),
  },
  Screening: {
    priceQuote: async (screening: QuotedScreening, { tickets }: { tickets: unknown }, { loaders }: PaymentContext) =>
      quoteScreening(screening, await loaders.priceRules.load(screening.cinema.id), parseInput(pricingLines, tickets, "tickets")),
  },
  PriceBreakdown: {
    voucherCents: (b: PriceBreakdown) => b.totalCents - cardCents(b.lines),
  },
  Voucher: {
    status: (v: Voucher) => voucherState(v),
    expiresAt: (v: Voucher) => v.expiresAt?.toISOString() ?? null,
    createdAt: (v: Voucher) => v.createdAt.toISOString(),
    issuedBy: (v: Voucher, _: unknown, { viewer }: PaymentContext) => (viewer?.role === "admin" ? v.issuedBy : null),
    redemption: async (v: Voucher, _: unknown, { viewer, loaders }: PaymentContext) => {
      if (viewer?.role !== "admin" || v.status !== "REDEEMED" || !v.paymentId) return null;
      const payment = await loaders.byId.load(v.paymentId);
      return payment && { reservationId: payment.reservationId, customerId: payment.customerId, seat: v.seat, redeemedAt: v.redeemedAt?.toISOString() };
    },
  },
  Query: {
    voucher: (_: unknown, args: unknown, { viewer, db }: PaymentContext) => {
      requireUser(viewer);
      return checkVoucher(db, parseInput(checkVoucherArgs, args, "args"));
    },
    vouchers: (_: unknown, args: unknown, { viewer, db }: PaymentContext) => {
      requireAdmin(viewer);
      return listVouchers(db, parseInput(listVouchersArgs, args, "args"));
    },
  },
  Payment: {
    createdAt: (p: Payment) => p.createdAt.toISOString(),
    updatedAt: (p: Payment) => p.updatedAt.toISOString(),
  },
  Mutation: {
    setPriceRules: async (_: unknown, { input }: { input: unknown }, { viewer, db }: PaymentContext) => {
      requireAdmin(viewer);
      return priceRulesView(await setPriceRules(db, parseInput(priceRulesInput, input)));
    },
    issueVouchers: async (_: unknown, { input }: { input: unknown }, { viewer, db }: PaymentContext) => {
      const staff = requireAdmin(viewer);
      return issueVouchers(db, parseInput(issueVouchersInput, input), staff.id);
    },
    capturePayment: (_: unknown, args: unknown, { viewer, db, provider }: PaymentContext) => {
      requireService(viewer);
      const parsed = parseInput(captureArgs, args, "args");
      // A code that cannot exist is kept as typed: redeeming finds no such voucher and says so.
      const lines = parsed.pricing.lines.map((l) => ({ ...l, voucherCode: l.voucherCode && (normalizeVoucherCode(l.voucherCode) ?? l.voucherCode) }));
      return capturePayment(db, provider, { ...parsed, paymentToken: parsed.paymentToken ?? null, pricing: { ...parsed.pricing, lines } });
    },
    voidPayment: (_: unknown, args: unknown, { viewer, db, provider }: PaymentContext) => {
      requireService(viewer);
      return voidPayment(db, provider, parseInput(voidArgs, args, "args"));
    },
  },
};
