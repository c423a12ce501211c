import { prismaOptions } from "@cinema/platform/db";
import { countDbQueries } from "@cinema/platform/metrics";
import { PrismaClient } from "./generated/prisma/client.ts";

export type PaymentDb = PrismaClient;
export const createPaymentDb = (url: string): PaymentDb => countDbQueries(new PrismaClient(prismaOptions(url)));
