import type { ApolloServerPlugin } from "@apollo/server";
import { AppError, ErrorCode } from "@cinema/platform/errors";

/**
 * A subscription sent over HTTP would reach @apollo/gateway, which cannot run it: refuse it with a
 * 400 that says where subscriptions are served. (A GET never gets here: Apollo Server answers any
 * non-query GET with 405 and `allow: POST` before plugins see the operation.)
 */
export function subscriptionsOverWebSocketOnly<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation?.operation !== "subscription") return;
          const headers = request.http?.headers;
          // Behind a proxy, the address the client used (first hop of the forwarded headers).
          const first = (name: string) => headers?.get(name)?.split(",")[0]?.trim() || undefined;
          const host = first("x-forwarded-host") ?? first("host") ?? "localhost:4000";
          const scheme = first("x-forwarded-proto") === "https" ? "wss" : "ws";
          // BAD_USER_INPUT: the code the platform's error mapping gives every malformed request.
          throw new AppError(ErrorCode.BAD_USER_INPUT, `Subscriptions are served over WebSocket (graphql-ws) at ${scheme}://${host}/graphql, not over HTTP.`, {
            field: "query",
            http: { status: 400 },
          });
        },
      };
    },
  };
}
