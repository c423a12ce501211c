import { prismaOptions } from "@cinema/platform/db";
import { PrismaClient } from "./generated/prisma/client.ts";

export type MovieDb = PrismaClient;
export const createMovieDb = (url: string): MovieDb => new PrismaClient(prismaOptions(url));
