import { prismaOptions } from "@cinema/platform/db";
import { PrismaClient } from "./generated/prisma/client.ts";

export type NotificationsDb = PrismaClient;
export type NotificationsTx = Parameters<Parameters<NotificationsDb["$transaction"]>[0]>[0];
export const createNotificationsDb = (url: string): NotificationsDb => new PrismaClient(prismaOptions(url));
