// Admission of `reserve` at the front door. In the on-sale minute most requests are bookings
// beyond what the system takes. Refused at the reservation subgraph's fetch, each still cost the
// gateway Apollo's whole pipeline (request plugins, the plan, execution, error formatting) on the
// cores the admitted bookings need, and let in more than the saga could take at once, so the
// saga refused the rest from a busy process (slow refusals). Here each `reserve` takes a slot of
// an adaptive limit (platform admission.ts) before any of that, and holds it until its answer is
// ready: beyond the limit it is refused at once, typed, with Retry-After. Anything else goes on.
import type { HTTPGraphQLResponse } from "@apollo/server";
import { Kind, parse } from "graphql";
import { AdaptiveLimiter, limiterSettings, type Release } from "@cinema/platform/admission";
import { rootFieldCount } from "./security.ts";

/** Documents seen (query and operation name → calls `reserve`); clients send a handful. */
const CACHE_MAX = 1_000;

/**
 * GATEWAY_RESERVE_CONCURRENCY_MAX (24) bookings at once through this gateway, fewer while they
 * answer slower than GATEWAY_RESERVE_LATENCY_TARGET_MS (300): about what keeps two cores busy
 * without a standing queue (a booking takes ~16 ms alone; at 3× capacity, 24 measured goodput
 * 100% of capacity, accepted p99 335 ms, refusals p99 67 ms; 16 gave 94%, no limit here refusals
 * p99 204–244 ms: BENCHMARKS.md). More reservation replicas, more. The saga's own limit
 * (RESERVE_CONCURRENCY_MAX) stays behind it for callers other than this gateway.
 */
export function frontDoor(maxTokens: number) {
  // Named apart from the saga's own limiter ("reserve"), so a refusal's extensions.dependency and
  // requests_shed_total{where} say which of the two refused.
  const reserves = new AdaptiveLimiter("front_door", limiterSettings("gateway_reserve", { max: 24, queueTimeoutMs: 20 }));
  const seen = new Map<string, boolean>();
  const callsReserve = (query: string, operationName: unknown): boolean => {
    if (!query.includes("reserve")) return false;
    const key = `${typeof operationName === "string" ? operationName : ""}\n${query}`;
    let calls = seen.get(key);
    if (calls === undefined) {
      calls = parsedCallsReserve(query, operationName, maxTokens);
      if (seen.size >= CACHE_MAX) seen.clear();
      seen.set(key, calls);
    }
    return calls;
  };
  return {
    /** For /health/ready and /metrics. */
    state: () => reserves.state(),
    admit: async (body: unknown): Promise<((answer: HTTPGraphQLResponse | undefined) => void) | undefined> => {
      const { query, operationName } = (body ?? {}) as { query?: unknown; operationName?: unknown };
      if (typeof query !== "string" || !callsReserve(query, operationName)) return undefined;
      const release: Release = await reserves.acquire();
      // Refused further in for want of room (Retry-After, not the customer's own rate limit): the
      // limit here let in too much. No answer at all: a failure, the same.
      return (answer) => release(answer === undefined || (answer.status !== 429 && answer.headers.has("retry-after")) ? "dropped" : "ok");
    },
  };
}

/** Whether the operation a request runs is a mutation calling `reserve` (a document Apollo would refuse: no). */
function parsedCallsReserve(query: string, operationName: unknown, maxTokens: number): boolean {
  try {
    const document = parse(query, { maxTokens });
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const operation = typeof operationName === "string" ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    return operation?.operation === "mutation" && rootFieldCount(operation, document, "reserve") > 0;
  } catch {
    return false;
  }
}
