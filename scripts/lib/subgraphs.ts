/** The five subgraphs, in the order they start. Their folders, Prisma schemas and databases share the name. */
export const SUBGRAPHS = ["movie", "seat", "payment", "reservation", "mypage"] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/**
 * Workers consume events only (no GraphQL): workers/<name>/worker.ts. Most own a Prisma schema and
 * database like a subgraph; adding one touches no other service (README: "Adding a consumer").
 */
export const WORKERS = ["notifications", "ticketing"] as const;
export type WorkerName = (typeof WORKERS)[number];
/**
 * Workers that are a second process of a subgraph's bounded context and use its database: the
 * ticket issuer belongs to reservation (a ticket is voided in the cancellation's transaction) but
 * runs on its own, so bookings go on while it is down.
 */
export const SHARED_DATABASE = { ticketing: "reservation" } as const satisfies Partial<Record<WorkerName, SubgraphName>>;
type SharingWorker = keyof typeof SHARED_DATABASE;
/** Every process that owns a database (and a prisma/<name>/ folder). */
export const DATABASE_OWNERS = [...SUBGRAPHS, "notifications"] as const satisfies readonly (SubgraphName | Exclude<WorkerName, SharingWorker>)[];
export type DatabaseOwner = (typeof DATABASE_OWNERS)[number];
/** Every process the stack runs, in start order (the gateway last). */
export type ProcessName = SubgraphName | WorkerName | "gateway";
export const PROCESS_NAMES: readonly ProcessName[] = [...SUBGRAPHS, ...WORKERS, "gateway"];
/** The database a process uses (none for the gateway). */
export const databaseOf = (name: Exclude<ProcessName, "gateway">): DatabaseOwner =>
  (SHARED_DATABASE as Partial<Record<string, DatabaseOwner>>)[name] ?? (name as DatabaseOwner);

/** Default local ports (supergraph.yaml's routing URLs); the launcher picks free ones when these are taken. */
export const DEFAULT_PORTS: Record<ProcessName, number> = {
  gateway: 4000,
  movie: 4001,
  seat: 4002,
  payment: 4003,
  reservation: 4004,
  mypage: 4005,
  notifications: 4010,
  ticketing: 4011,
};
