import { prismaOptions } from "@cinema/platform/db";
import { countDbQueries } from "@cinema/platform/metrics";
import { PrismaClient } from "./generated/prisma/client.ts";

export type SeatDb = PrismaClient;
export const createSeatDb = (url: string): SeatDb => countDbQueries(new PrismaClient(prismaOptions(url)));
