import DataLoader from "dataloader";
import { z } from "zod";
import { canSee, requireAdmin, requireService } from "@cinema/platform/auth";
import type { RequestContext } from "@cinema/platform/server";
import { idSchema, isId, parseInput } from "@cinema/platform/validation";
import type { PaymentDb } from "./data.ts";
import type { Payment } from "./generated/prisma/client.ts";
import { capturePayment } from "./domain/capture-payment.ts";
import { isTimeZone } from "@cinema/platform/time-zone";
import { pricingLines, quoteScreening, type QuotedScreening } from "./domain/price-quote.ts";
import { priceRulesInput } from "./domain/price-rules-input.ts";
import { SEAT_CLASSES, TICKET_TYPES } from "./domain/price-rules.ts";
import { defaultsFor, loadPriceRules, type CinemaPriceRules } from "./domain/price-rules-store.ts";
import type { PaymentProvider } from "./domain/provider.ts";
import { setPriceRules } from "./domain/set-price-rules.ts";
import { voidPayment } from "./domain/void-payment.ts";

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
  paymentToken: z.string().min(1).max(200),
  pricing: z.object({
    cinemaId: idSchema,
    timeZone: z.string().max(100).refine(isTimeZone, "must be an IANA time zone like Asia/Seoul"),
    startsAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
    basePriceCents: z.number().int().min(0, "must not be negative").max(10_000_000),
    lines: pricingLines.min(1, "must name at least one seat"),
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
  Payment: {
    createdAt: (p: Payment) => p.createdAt.toISOString(),
    updatedAt: (p: Payment) => p.updatedAt.toISOString(),
  },
  Mutation: {
    setPriceRules: async (_: unknown, { input }: { input: unknown }, { viewer, db }: PaymentContext) => {
      requireAdmin(viewer);
      return priceRulesView(await setPriceRules(db, parseInput(priceRulesInput, input)));
    },
    capturePayment: (_: unknown, args: unknown, { viewer, db, provider }: PaymentContext) => {
      requireService(viewer);
      return capturePayment(db, provider, parseInput(captureArgs, args, "args"));
    },
    voidPayment: (_: unknown, args: unknown, { viewer, db, provider }: PaymentContext) => {
      requireService(viewer);
      return voidPayment(db, provider, parseInput(voidArgs, args, "args"));
    },
  },
};
