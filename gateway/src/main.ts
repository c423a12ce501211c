import { readFileSync } from "node:fs";
import path from "node:path";
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { intEnv, repoRoot } from "@cinema/platform/config";
import { startHttpServer, type RequestContext } from "@cinema/platform/server";

/** Forwards the caller's bearer token; each subgraph verifies it again and applies its own rules. */
class AuthForwardingDataSource extends RemoteGraphQLDataSource<RequestContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RequestContext>) {
    if (context?.authorization) request.http?.headers.set("authorization", context.authorization);
  }
}

const supergraphFile = process.env.SUPERGRAPH_FILE ?? path.join(repoRoot, "supergraph.graphql");
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, "utf8"),
  // SUBGRAPH_URL_<NAME> overrides supergraph.yaml's routing URL (ports chosen at run time, Kubernetes services).
  buildService: ({ name, url }) => new AuthForwardingDataSource({ url: process.env[`SUBGRAPH_URL_${name.toUpperCase()}`] ?? url }),
});

await startHttpServer<RequestContext>({
  name: "gateway",
  port: intEnv("PORT", 4000),
  apollo: { gateway },
});
