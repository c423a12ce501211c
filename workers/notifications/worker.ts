import { runWorker } from "@cinema/platform/subgraph";
import { createNotificationsDb, type NotificationsDb } from "./data.ts";
import { notificationConsumers } from "./events.ts";

await runWorker<NotificationsDb>({
  name: "notifications",
  createDb: createNotificationsDb,
  build: ({ db }) => ({ consumers: notificationConsumers(db) }),
});
