/** The five subgraphs, in the order they start. Their folders, Prisma schemas and databases share the name. */
export const SUBGRAPHS = ["movie", "seat", "payment", "reservation", "mypage"] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** Default local ports (supergraph.yaml's routing URLs); the launcher picks free ones when these are taken. */
export const DEFAULT_PORTS: Record<SubgraphName | "gateway", number> = {
  gateway: 4000,
  movie: 4001,
  seat: 4002,
  payment: 4003,
  reservation: 4004,
  mypage: 4005,
};
