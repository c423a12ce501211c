import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { intEnv, requireEnv } from "./config.ts";
import { logger } from "./logger.ts";
import { migrate } from "./migrate.ts";
import { connectEventBus, consumeEvents, type ConsumerOptions, type EventBus } from "./nats.ts";
import { OutboxRelay, type TransactionalDb } from "./outbox.ts";
import { startSubgraph, type RequestContext, type RunningServer } from "./server.ts";
import type { EventType } from "./events.ts";

export interface SubgraphDb extends TransactionalDb {
  $disconnect(): Promise<void>;
}

export interface SubgraphParts<Db, C extends RequestContext> {
  resolvers: GraphQLResolverMap<C>;
  /** Adds the subgraph's own dependencies to each request's context. */
  context(base: RequestContext): C;
  consumers?: ConsumerOptions<EventType>[];
  /** Background jobs (sweepers); each returns its stop function. */
  jobs?: (() => () => void)[];
  onShutdown?: () => Promise<void>;
  _db?: Db;
}

/**
 * Starts a subgraph the one way: migrate its database, open Prisma and NATS, start the outbox
 * relay and the event consumers, serve GraphQL with health checks, and undo it all on SIGTERM.
 */
export async function runSubgraph<Db extends SubgraphDb, C extends RequestContext>(opts: {
  name: string;
  schemaFile: URL;
  createDb(url: string): Db;
  build(deps: { db: Db; bus: EventBus; relay: OutboxRelay }): SubgraphParts<Db, C> | Promise<SubgraphParts<Db, C>>;
}): Promise<RunningServer> {
  const databaseUrl = requireEnv("DATABASE_URL");
  await migrate(opts.name, databaseUrl);
  const db = opts.createDb(databaseUrl);
  const bus = await connectEventBus(opts.name);
  const relay = new OutboxRelay(db, bus).start();
  const parts = await opts.build({ db, bus, relay });
  const stopConsumers = await Promise.all((parts.consumers ?? []).map((c) => consumeEvents(bus, c)));
  const stopJobs = (parts.jobs ?? []).map((job) => job());

  return startSubgraph<C>({
    name: opts.name,
    port: intEnv("PORT", 0),
    schemaFile: opts.schemaFile,
    resolvers: parts.resolvers,
    context: (base) => parts.context(base),
    ready: async () => {
      await db.$queryRawUnsafe("SELECT 1");
      return !bus.nc.isClosed() && !bus.nc.isDraining();
    },
    onShutdown: async () => {
      stopJobs.forEach((stop) => stop());
      await Promise.all(stopConsumers.map((stop) => stop()));
      await relay.stop();
      await parts.onShutdown?.();
      await bus.close().catch((err) => logger.warn({ err }, "nats close"));
      await db.$disconnect();
    },
  });
}
