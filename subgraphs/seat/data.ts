import { prismaOptions } from "@cinema/platform/db";
import { PrismaClient } from "./generated/prisma/client.ts";

export type SeatDb = PrismaClient;
export const createSeatDb = (url: string): SeatDb => new PrismaClient(prismaOptions(url));
