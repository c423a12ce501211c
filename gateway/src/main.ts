import { readFileSync } from "node:fs";
import path from "node:path";
import type { GraphQLSchema } from "graphql";
import type { Disposable } from "graphql-ws";
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { intEnv, repoRoot } from "@cinema/platform/config";
import { startHttpServer, type RequestContext } from "@cinema/platform/server";
import { subscriptionsOverWebSocketOnly } from "./http-subscription-guard.ts";
import { connectLiveFeed, serveSubscriptions, subscriptionSchema } from "./subscriptions.ts";
import { mountDevLogin } from "./dev-login.ts";
import { mountIde } from "./ide.ts";
import { mountWeb } from "./web.ts";

/** Forwards the caller's bearer token; each subgraph verifies it again and applies its own rules. */
class AuthForwardingDataSource extends RemoteGraphQLDataSource<RequestContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RequestContext>) {
    if (context?.authorization) request.http?.headers.set("authorization", context.authorization);
  }
}

const supergraphFile = process.env.SUPERGRAPH_FILE ?? path.join(repoRoot, "supergraph.graphql");
/** Where each subgraph is reached, as the gateway resolved it (subscriptions call mypage directly). */
const subgraphUrls = new Map<string, string>();
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, "utf8"),
  // SUBGRAPH_URL_<NAME> overrides supergraph.yaml's routing URL (ports chosen at run time, Kubernetes services).
  buildService: ({ name, url }) => {
    const resolved = process.env[`SUBGRAPH_URL_${name.toUpperCase()}`] ?? url;
    if (resolved) subgraphUrls.set(name, resolved);
    // Node's fetch (undici) keeps connections alive; the default fetcher opens far more of them.
    return new AuthForwardingDataSource({ url: resolved, fetcher: fetch as never });
  },
});

const feed = await connectLiveFeed();
let wsSchema: GraphQLSchema | undefined;
gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
  wsSchema = subscriptionSchema(apiSchema, { feed, mypageUrl: () => subgraphUrls.get("mypage") });
});

let ws: Disposable | undefined;
const server = await startHttpServer<RequestContext>({
  name: "gateway",
  port: intEnv("PORT", 4000),
  apollo: {
    gateway,
    plugins: [
      subscriptionsOverWebSocketOnly(),
      // Close the sockets first (1001 "Going away", NATS subscriptions ended) as part of Apollo's
      // drain: the HTTP drain would otherwise wait on, then cut, the upgraded connections.
      { serverWillStart: async () => ({ drainServer: async () => void (await ws?.dispose()) }) },
    ],
  },
  // Before /graphql: dev sign-in, the offline IDE at /ide, and the web app at / (never shadowing /graphql).
  routes: (app) => {
    mountDevLogin(app);
    mountIde(app);
    mountWeb(app);
  },
  ready: async () => ws !== undefined && feed.connected(),
  onShutdown: () => feed.close(),
});
ws = serveSubscriptions(server.httpServer, () => wsSchema);
