import { prismaOptions } from "@cinema/platform/db";
import { PrismaClient } from "./generated/prisma/client.ts";

export type PaymentDb = PrismaClient;
export const createPaymentDb = (url: string): PaymentDb => new PrismaClient(prismaOptions(url));
