import { prismaOptions } from "@cinema/platform/db";
import { PrismaClient } from "./generated/prisma/client.ts";

export type ReservationDb = PrismaClient;
export type ReservationTx = Parameters<Parameters<ReservationDb["$transaction"]>[0]>[0];
export const createReservationDb = (url: string): ReservationDb => new PrismaClient(prismaOptions(url));
