/** The five subgraphs, in the order they start. Their folders, Prisma schemas and databases share the name. */
export const SUBGRAPHS = ["movie", "seat", "payment", "reservation", "mypage"] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/**
 * Workers consume events only (no GraphQL): workers/<name>/worker.ts, with their own Prisma schema
 * and database like a subgraph. Adding one touches no other service (README: "Adding a consumer").
 */
export const WORKERS = ["notifications"] as const;
export type WorkerName = (typeof WORKERS)[number];
/** Every process that owns a database (and a prisma/<name>/ folder). */
export const DATABASE_OWNERS = [...SUBGRAPHS, ...WORKERS] as const;
export type DatabaseOwner = (typeof DATABASE_OWNERS)[number];

/** Default local ports (supergraph.yaml's routing URLs); the launcher picks free ones when these are taken. */
export const DEFAULT_PORTS: Record<DatabaseOwner | "gateway", number> = {
  gateway: 4000,
  movie: 4001,
  seat: 4002,
  payment: 4003,
  reservation: 4004,
  mypage: 4005,
  notifications: 4010,
};
