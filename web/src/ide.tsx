// The offline GraphQL IDE at /ide: GraphiQL 5, bundled by Vite from node_modules (its Monaco editor
// and language workers included), so it works with no network but the cinema's own. Queries and
// mutations go over HTTP POST to /graphql; subscriptions over graphql-ws on the same URL, with the
// headers editor's Authorization passed as connectionParams (what the gateway's socket reads).
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { GraphiQL } from "graphiql";
import { createGraphiQLFetcher, type Fetcher } from "@graphiql/toolkit";
import { getOperationAST, parse, type ExecutionResult } from "graphql";
import { createClient, type Client } from "graphql-ws";

const httpFetcher = createGraphiQLFetcher({ url: "/graphql", enableIncrementalDelivery: false });
const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;

/** One socket per Authorization value: the gateway fixes a socket's identity when it connects. */
const sockets = new Map<string, Client>();
function socketFor(authorization: string | undefined): Client {
  const key = authorization ?? "";
  let client = sockets.get(key);
  if (!client) {
    client = createClient({ url: wsUrl, connectionParams: authorization ? { authorization } : {}, lazy: true });
    sockets.set(key, client);
  }
  return client;
}

function isSubscription(query: string, operationName?: string | null): boolean {
  try {
    return getOperationAST(parse(query), operationName ?? undefined)?.operation === "subscription";
  } catch {
    return false; // let the server explain the syntax error
  }
}

const fetcher: Fetcher = (params, opts) => {
  if (!isSubscription(params.query, params.operationName)) return httpFetcher(params, opts);
  const headers = opts?.headers ?? {};
  const name = Object.keys(headers).find((h) => h.toLowerCase() === "authorization");
  const authorization = name ? String(headers[name]) : undefined;
  const results = socketFor(authorization).iterate({ query: params.query, variables: params.variables, operationName: params.operationName ?? undefined });
  // The toolkit types results with GraphQLError objects; what arrives (over HTTP too) is their JSON form.
  return results as AsyncIterable<ExecutionResult>;
};

// Signed in to the cinema app in this browser? Start new tabs with that token in the headers.
const token = localStorage.getItem("cinema.token");
const defaultHeaders = token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : undefined;

const defaultQuery = `# The cinema's GraphQL API, as the app at / uses it.
#
# Sign in: in Headers (below), put
#   { "Authorization": "Bearer <token>" }
# with a token from \`npm run token -- alice\` (customer)
# or \`npm run token -- --admin staff\` (staff). Signed in to
# the app in this browser? New tabs start with your token.
#
# Subscriptions (seatMapChanged, myReservationsChanged,
# reservationStatusChanged) run over a WebSocket at the
# same /graphql, with the same Authorization header.

query Program {
  movies {
    id
    title
    screenings { id startsAt priceCents currency availableSeatCount auditorium { name } }
  }
}
`;

createRoot(document.getElementById("ide")!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} defaultHeaders={defaultHeaders} defaultEditorToolsVisibility={token ? "headers" : true} />
  </StrictMode>,
);
