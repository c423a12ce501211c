// Every request gets its deadline here, at the edge, by what it does: reads are short, `reserve`
// long enough for its saga, other writes in between. The data source passes what is left of it to
// each subgraph (x-cinema-deadline-ms); a request whose budget is spent before a subgraph call is
// refused at once.
import type { ApolloServerPlugin } from "@apollo/server";
import { intEnv } from "@cinema/platform/config";
import { DEADLINE_HEADER } from "@cinema/platform/deadline";
import { busy } from "@cinema/platform/errors";
import type { GatewayContext } from "./security.ts";
import { rootFieldCount } from "./security.ts";

export interface OperationBudgets {
  queryMs: number;
  mutationMs: number;
  reserveMs: number;
}

export const operationBudgets = (): OperationBudgets => ({
  queryMs: intEnv("DEADLINE_QUERY_MS", 3_000),
  mutationMs: intEnv("DEADLINE_MUTATION_MS", 5_000),
  reserveMs: intEnv("DEADLINE_RESERVE_MS", 10_000),
});

/** Sets `deadline` (this process's clock, ms) on the context once the operation is known. */
export function deadlines(budgets: OperationBudgets = operationBudgets()): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const receivedAt = Date.now();
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          const budget =
            operation?.operation !== "mutation" ? budgets.queryMs : rootFieldCount(operation, document, "reserve") > 0 ? budgets.reserveMs : budgets.mutationMs;
          contextValue.deadline = receivedAt + budget;
        },
      };
    },
  };
}

/**
 * The header a subgraph call carries: the milliseconds left of the request's budget. A request
 * whose budget is spent is refused here, before the call (its caller has given up on it).
 */
export function deadlineHeader(context: Partial<GatewayContext> | undefined): Record<string, string> {
  if (context?.deadline === undefined) return {};
  const left = context.deadline - Date.now();
  if (left <= 0) throw busy({ reason: "deadline" });
  return { [DEADLINE_HEADER]: String(left) };
}
