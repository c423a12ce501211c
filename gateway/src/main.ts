import { readFileSync } from "node:fs";
import path from "node:path";
import type { GraphQLSchema } from "graphql";
import type { Disposable } from "graphql-ws";
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDisableSuggestions } from "@apollo/server/plugin/disableSuggestions";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { internalIdentityHeaders } from "@cinema/platform/auth";
import { intEnv, repoRoot } from "@cinema/platform/config";
import { startHttpServer } from "@cinema/platform/server";
import { subscriptionsOverWebSocketOnly } from "./http-subscription-guard.ts";
import { connectLiveFeed, serveSubscriptions, subscriptionSchema } from "./subscriptions.ts";
import { mountDevLogin } from "./dev-login.ts";
import { mountIde } from "./ide.ts";
import { mountWeb } from "./web.ts";
import { clientAddress, limitRules, queryLimits, reserveRateLimit, switchedOn, trustProxy, wellFormedRequests, type GatewayContext } from "./security.ts";
import { frontDoor } from "./front-door.ts";
import { subgraphFetcher, type SubgraphFetcher } from "./subgraph-fetch.ts";
import { deadlineHeader, deadlines } from "./deadlines.ts";

/** A subgraph's answer as Apollo Gateway takes it from a data source. */
type SubgraphAnswer = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;

/**
 * Forwards who the caller is as a short-lived internal identity token (x-cinema-identity, signed
 * by the gateway, anonymous callers included), never the caller's own bearer token: subgraphs
 * accept nothing else, and apply their own rules to the identity. Also forwards what is left of
 * the request's deadline (deadlines.ts).
 */
class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /**
   * Apollo's own `process`, less what we never use (persisted queries, subgraph Cache-Control,
   * tracing headers) and the node-fetch Headers and Request it builds for every call (their URL
   * parsing and header objects were ~3% of the gateway's CPU per request): our headers, one POST
   * through this subgraph's fetcher (subgraph-fetch.ts), the answer parsed.
   */
  override async process({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphAnswer> {
    const { query, variables, operationName, extensions } = request;
    if (!query) throw new Error("Missing query");
    const headers = { "content-type": "application/json", ...deadlineHeader(context), ...(await internalIdentityHeaders(context?.viewer ?? null)) };
    const response = await this.fetcher(this.url, { method: "POST", headers, body: JSON.stringify({ query, variables, operationName, extensions }) });
    if (!response.ok) throw await this.errorFromResponse(response);
    const body: unknown = await response.json();
    if (typeof body !== "object" || body === null) throw new Error(`Expected a JSON object from the ${this.url} subgraph`);
    return body as SubgraphAnswer;
  }
}

const supergraphFile = process.env.SUPERGRAPH_FILE ?? path.join(repoRoot, "supergraph.graphql");
/** Where each subgraph is reached, as the gateway resolved it (subscriptions call mypage directly). */
const subgraphUrls = new Map<string, string>();
/** Each subgraph's fetcher (own connections, deadline, admission limit, breaker). */
const fetchers = new Map<string, SubgraphFetcher>();
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, "utf8"),
  // SUBGRAPH_URL_<NAME> overrides supergraph.yaml's routing URL (ports chosen at run time, Kubernetes services).
  buildService: ({ name, url }) => {
    const resolved = process.env[`SUBGRAPH_URL_${name.toUpperCase()}`] ?? url;
    if (resolved) subgraphUrls.set(name, resolved);
    const fetcher = fetchers.get(name) ?? fetchers.set(name, subgraphFetcher(name)).get(name)!;
    return new IdentityForwardingDataSource({ url: resolved, fetcher: fetcher.fetcher });
  },
});

const limits = queryLimits();
const reserves = frontDoor(limits.maxTokens);
const clientIp = clientAddress();
const introspection = switchedOn("GRAPHQL_INTROSPECTION");
const feed = await connectLiveFeed();
let wsSchema: GraphQLSchema | undefined;
gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
  wsSchema = subscriptionSchema(apiSchema, { feed, mypageUrl: () => subgraphUrls.get("mypage") });
});

let ws: Disposable | undefined;
const server = await startHttpServer<GatewayContext>({
  name: "gateway",
  port: intEnv("PORT", 4000),
  identity: "bearer",
  apollo: {
    gateway,
    // Off by default in production (NODE_ENV=production); GRAPHQL_INTROSPECTION / GRAPHQL_IDE override.
    introspection,
    // Hostile documents are refused before planning: tokens while parsing, then depth, aliases, cost.
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitRules(limits),
    // Apollo Server's defaults, stated: one operation per request; simple (CSRF-able) requests refused.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // No client uses automatic persisted queries: off, so nobody can fill their cache either.
    persistedQueries: false,
    plugins: [
      switchedOn("GRAPHQL_IDE") ? ApolloServerPluginLandingPageLocalDefault() : ApolloServerPluginLandingPageDisabled(),
      // Without introspection, "Did you mean …?" would still spell the schema out field by field.
      ...(introspection ? [] : [ApolloServerPluginDisableSuggestions()]),
      wellFormedRequests(limits),
      subscriptionsOverWebSocketOnly(),
      reserveRateLimit(),
      deadlines(),
      // Close the sockets first (1001 "Going away", NATS subscriptions ended) as part of Apollo's
      // drain: the HTTP drain would otherwise wait on, then cut, the upgraded connections.
      { serverWillStart: async () => ({ drainServer: async () => void (await ws?.dispose()) }) },
    ],
  },
  admit: reserves.admit,
  context: (base, req) => ({ ...base, clientIp: clientIp(req) }),
  // Before /graphql: dev sign-in, the offline IDE at /ide, and the web app at / (never shadowing /graphql).
  routes: (app) => {
    app.set("trust proxy", trustProxy());
    mountDevLogin(app);
    mountIde(app);
    mountWeb(app);
  },
  ready: async () => ws !== undefined && feed.connected(),
  details: () => ({ reserve: reserves.state(), subgraphs: Object.fromEntries([...fetchers].map(([name, f]) => [name, f.state()])) }),
  onShutdown: () => feed.close(),
});
ws = serveSubscriptions(server.httpServer, () => wsSchema, limits);
