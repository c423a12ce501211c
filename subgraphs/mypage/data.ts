import { prismaOptions } from "@cinema/platform/db";
import { PrismaClient } from "./generated/prisma/client.ts";

export type MypageDb = PrismaClient;
export type MypageTx = Parameters<Parameters<MypageDb["$transaction"]>[0]>[0];
export const createMypageDb = (url: string): MypageDb => new PrismaClient(prismaOptions(url));
