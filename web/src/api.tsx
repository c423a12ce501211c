// The GraphQL client: urql over HTTP POST for queries and mutations, graphql-ws for subscriptions,
// both at the gateway's /graphql on the page's own origin. A new client (and socket) per token, so
// a live subscription never runs under the identity of someone who signed out.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { Client, Provider, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import { CloseCode, createClient as createWsClient } from "graphql-ws";
import { navigate } from "./router.tsx";
import { useSession } from "./session.tsx";
import { MyUpdatesProvider } from "./updates.tsx";

const LiveContext = createContext(false);
/** True while the subscription socket is connected (the "Live" badge). */
export const useLive = () => useContext(LiveContext);

function wsUrl(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
}

export function ApiProvider({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const token = session?.token;
  const [live, setLive] = useState(false);

  // A token the API no longer accepts (expired, secret rotated): sign out and ask to sign in again,
  // coming back to this page afterwards.
  const expired = useMemo(() => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      signOut();
      const here = location.pathname + location.search;
      navigate(`/signin?expired=1&returnTo=${encodeURIComponent(here)}`, { replace: true });
    };
  }, [signOut, token]);

  const { client, ws } = useMemo(() => {
    const ws = createWsClient({
      url: wsUrl(),
      connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
      // Keep trying while the page is open: a restarted gateway resumes the live seat map.
      retryAttempts: Infinity,
      shouldRetry: () => true,
      on: {
        connected: () => setLive(true),
        closed: (event) => {
          setLive(false);
          if ((event as CloseEvent | undefined)?.code === CloseCode.Unauthorized && token) expired();
        },
      },
    });
    const client = new Client({
      url: "/graphql",
      // POST only: Apollo Server's CSRF prevention refuses a GET query without a preflight header.
      preferGetMethod: false,
      fetchOptions: (): RequestInit => (token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      exchanges: [
        mapExchange({
          onError: (error) => {
            if (token && error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) expired();
          },
        }),
        cacheExchange,
        fetchExchange,
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
          }),
        }),
      ],
    });
    return { client, ws };
  }, [token, expired]);
  useEffect(() => () => void ws.dispose(), [ws]);

  return (
    <LiveContext.Provider value={live}>
      <Provider value={client}>
        {/* Keyed by the token: signing in or out starts every page afresh, nothing of the
            previous visitor's state survives. */}
        <MyUpdatesProvider key={token ?? "anonymous"} signedIn={!!token}>
          {children}
        </MyUpdatesProvider>
      </Provider>
    </LiveContext.Provider>
  );
}
