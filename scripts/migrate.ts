// Applies one service's pending migrations and exits: the Kubernetes migration Job's command
// (deploy/k8s/base/migrations.yaml), in the same image as the services:
//   SERVICE=<name> DATABASE_URL=… node scripts/migrate.ts
// Services also migrate at start, under the same advisory lock, so either order is safe.
import { requireEnv } from "@cinema/platform/config";
import { logger } from "@cinema/platform/logger";
import { migrate } from "@cinema/platform/migrate";
import { PROCESS_NAMES, databaseOf, type ProcessName } from "./lib/subgraphs.ts";

const service = requireEnv("SERVICE") as ProcessName;
if (service === "gateway" || !PROCESS_NAMES.includes(service)) {
  throw new Error(`SERVICE must be a process with a database: ${PROCESS_NAMES.filter((p) => p !== "gateway").join(", ")} (got ${service})`);
}
const applied = await migrate(databaseOf(service), requireEnv("DATABASE_URL"));
logger.info({ migrating: service, schema: databaseOf(service), applied }, applied.length ? "migrations applied" : "database is up to date");
