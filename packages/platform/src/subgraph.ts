import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { intEnv, requireEnv } from "./config.ts";
import { logger } from "./logger.ts";
import { trackOutbox } from "./metrics.ts";
import { migrate } from "./migrate.ts";
import { connectEventBus, consumeEvents, type ConsumerOptions, type EventBus } from "./nats.ts";
import { OutboxRelay, type RelayScope, type TransactionalDb } from "./outbox.ts";
import { startHttpServer, startSubgraph, type RequestContext, type RunningServer } from "./server.ts";
import type { EventType } from "./events.ts";

export interface ServiceDb extends TransactionalDb {
  $disconnect(): Promise<void>;
}

export interface ServiceParts {
  /** Shown on /health/ready (e.g. circuit breakers). */
  details?: () => Record<string, unknown>;
  consumers?: ConsumerOptions<EventType>[];
  /** Background jobs (sweepers); each returns its stop function. */
  jobs?: (() => () => void)[];
  onShutdown?: () => Promise<void>;
}

export interface SubgraphParts<C extends RequestContext> extends ServiceParts {
  resolvers: GraphQLResolverMap<C>;
  /** Adds the subgraph's own dependencies to each request's context. */
  context(base: RequestContext): C;
}

interface ServiceOptions<Db extends ServiceDb, P extends ServiceParts> {
  name: string;
  /** Its Prisma schema and migrations: prisma/<schema>/ (default: the name). */
  schema?: string;
  createDb(url: string): Db;
  /** The event types its outbox relay publishes, when another process shares its database. */
  relay?: RelayScope;
  build(deps: { db: Db; bus: EventBus; relay: OutboxRelay }): P | Promise<P>;
}

/**
 * What every process with a database does the same way: migrate, open Prisma and NATS, start the
 * outbox relay, the event consumers and the jobs; report readiness; undo it all on shutdown.
 */
async function bootService<Db extends ServiceDb, P extends ServiceParts>(opts: ServiceOptions<Db, P>) {
  const databaseUrl = requireEnv("DATABASE_URL");
  await migrate(opts.schema ?? opts.name, databaseUrl);
  const db = opts.createDb(databaseUrl);
  const bus = await connectEventBus(opts.name);
  const relay = new OutboxRelay(db, bus, opts.relay).start();
  trackOutbox(relay);
  const parts = await opts.build({ db, bus, relay });
  const stopConsumers = await Promise.all((parts.consumers ?? []).map((c) => consumeEvents(bus, c)));
  const stopJobs = (parts.jobs ?? []).map((job) => job());
  return {
    parts,
    ready: async () => {
      await db.$queryRawUnsafe("SELECT 1");
      return !bus.nc.isClosed() && !bus.nc.isDraining();
    },
    shutdown: async () => {
      stopJobs.forEach((stop) => stop());
      await Promise.all(stopConsumers.map((stop) => stop()));
      await relay.stop();
      await parts.onShutdown?.();
      await bus.close().catch((err) => logger.warn({ err }, "nats close"));
      await db.$disconnect();
    },
  };
}

/** A subgraph: a service that also serves its part of the graph at /graphql. */
export async function runSubgraph<Db extends ServiceDb, C extends RequestContext>(
  opts: ServiceOptions<Db, SubgraphParts<C>> & { schemaFile: URL },
): Promise<RunningServer> {
  const service = await bootService(opts);
  return startSubgraph<C>({
    name: opts.name,
    port: intEnv("PORT", 0),
    schemaFile: opts.schemaFile,
    resolvers: service.parts.resolvers,
    context: (base) => service.parts.context(base),
    ready: service.ready,
    details: service.parts.details,
    onShutdown: service.shutdown,
  });
}

/** A worker: a service that only consumes events (health endpoints, no GraphQL). */
export async function runWorker<Db extends ServiceDb>(opts: ServiceOptions<Db, ServiceParts>): Promise<RunningServer> {
  const service = await bootService(opts);
  return startHttpServer({ name: opts.name, port: intEnv("PORT", 0), ready: service.ready, details: service.parts.details, onShutdown: service.shutdown });
}

/**
 * A background job for `ServiceParts.jobs`: runs `fn` every `seconds`, never two runs at once in
 * this process (replicas may overlap: jobs must be idempotent), logging failures.
 */
export function periodicJob(name: string, seconds: number, fn: () => Promise<unknown>): () => () => void {
  return () => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      fn()
        .catch((err) => logger.warn({ err, job: name }, "job failed"))
        .finally(() => (running = false));
    }, seconds * 1000);
    return () => clearInterval(timer);
  };
}
