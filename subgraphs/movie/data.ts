import { prismaOptions } from "@cinema/platform/db";
import { countDbQueries } from "@cinema/platform/metrics";
import { PrismaClient } from "./generated/prisma/client.ts";

export type MovieDb = PrismaClient;
export const createMovieDb = (url: string): MovieDb => countDbQueries(new PrismaClient(prismaOptions(url)));
