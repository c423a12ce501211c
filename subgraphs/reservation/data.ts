import { pgAdapter } from "@cinema/platform/db";
import { PrismaClient } from "./generated/prisma/client.ts";

export type ReservationDb = PrismaClient;
export const createReservationDb = (url: string): ReservationDb => new PrismaClient({ adapter: pgAdapter(url) });
