import DataLoader from "dataloader";
import { z } from "zod";
import { canSee, requireService } from "@cinema/platform/auth";
import type { RequestContext } from "@cinema/platform/server";
import { idSchema, isId, parseInput } from "@cinema/platform/validation";
import type { PaymentDb } from "./data.ts";
import type { Payment } from "./generated/prisma/client.ts";
import { capturePayment } from "./domain/capture-payment.ts";
import type { PaymentProvider } from "./domain/provider.ts";
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
  };
}

const money = {
  customerId: z.string().min(1).max(200),
  amountCents: z.number().int().min(1, "must be positive"),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
};
const captureArgs = z.object({ reservationId: idSchema, ...money, paymentToken: z.string().min(1).max(200) });
const voidArgs = z.object({ reservationId: idSchema, ...money, amountCents: z.number().int().min(0) });

export const resolvers = {
  Reservation: {
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    payment: async ({ id }: { id: string }, _: unknown, { viewer, loaders }: PaymentContext) => {
      const payment = await loaders.byReservation.load(id);
      return payment && canSee(viewer, payment.customerId) ? payment : null;
    },
  },
  Payment: {
    createdAt: (p: Payment) => p.createdAt.toISOString(),
    updatedAt: (p: Payment) => p.updatedAt.toISOString(),
  },
  Mutation: {
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
