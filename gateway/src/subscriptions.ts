// GraphQL subscriptions at the gateway (@apollo/gateway has none): graphql-ws on the HTTP server's
// /graphql, executed against the gateway's API schema with resolvers on the Subscription fields
// only, fed by NATS core subjects (best-effort live notifications, see platform events.ts).
import type http from "node:http";
import { GraphQLError, getOperationAST, parse, validate, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from "graphql";
import { addResolversToSchema } from "@graphql-tools/schema";
import { CloseCode, type Disposable } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { internalIdentityHeaders, requireAdmin, requireUser, viewerFromHeader, type Viewer } from "@cinema/platform/auth";
import { eventsPrefix } from "@cinema/platform/config";
import { AppError, ErrorCode, badInput, busy, forbidden, formatError, notFound, serviceUnavailable } from "@cinema/platform/errors";
import { intEnv } from "@cinema/platform/config";
import { liveDashboardSubject, liveMypageSubject, liveSeatsSubject, type DashboardChange, type SeatMapChange } from "@cinema/platform/events";
import { logger } from "@cinema/platform/logger";
import { natsFeed } from "./nats-feed.ts";
import { roomBroadcasts, waitingRoomFeed, type WaitingRoomStatus } from "./waiting-room-feed.ts";
import { allRules, queryLimits, type QueryLimits } from "./security.ts";

/** The context of a WebSocket operation: who connected (their token was verified on connect). */
export type SubscriptionContext = {
  viewer: Viewer;
};

/** The GraphQL `MyReservation` shape, as mypage serves it and publishes it on its live subject. */
interface MyReservation {
  id: string;
  updatedAt: string;
  [field: string]: unknown;
}

export interface LiveFeed {
  nc: NatsConnection;
  prefix: string;
  /** False while the connection is down (it reconnects forever) or closed. */
  connected(): boolean;
  close(): Promise<void>;
}

/** The gateway's one NATS connection (core NATS only: live subjects are not in the stream). */
/** Drains the live-feed connection; if NATS is already gone there is nothing left to drain. */
async function closeFeed(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  await nc.drain().catch((err: unknown) => logger.warn({ err }, "live feed closed without draining"));
}

export async function connectLiveFeed(url = process.env.NATS_URL ?? "nats://127.0.0.1:4222"): Promise<LiveFeed> {
  const nc = await connect({ servers: url.split(","), name: "gateway", maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  let up = true;
  (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") up = false;
      if (s.type === "reconnect") up = true;
      if (s.type === "disconnect" || s.type === "reconnect") logger.warn({ nats: s.type }, "nats connection");
    }
  })().catch(() => {});
  return { nc, prefix: eventsPrefix(), connected: () => up && !nc.isClosed() && !nc.isDraining(), close: () => closeFeed(nc) };
}

export interface SubscriptionDeps {
  feed: LiveFeed;
  /** mypage's /graphql, for reservationStatusChanged's current state. */
  mypageUrl: () => string | undefined;
  /** reservation's /graphql, for waitingRoom's joins and passes (default: SUBGRAPH_URL_RESERVATION). */
  reservationUrl?: () => string | undefined;
}

/** waitingRoom joins under way at this gateway, and how many may be (WAITING_ROOM_JOINS_IN_FLIGHT, 64). */
let joining = 0;
const maxJoining = intEnv("WAITING_ROOM_JOINS_IN_FLIGHT", 64);

/** The API schema with resolvers on the Subscription fields; everything else stays unresolvable here. */
export function subscriptionSchema(
  apiSchema: GraphQLSchema,
  { feed, mypageUrl, reservationUrl = () => process.env.SUBGRAPH_URL_RESERVATION }: SubscriptionDeps,
): GraphQLSchema {
  const { nc, prefix } = feed;
  const payload = <T>(value: T) => value;
  const rooms = roomBroadcasts(nc, prefix);
  return addResolversToSchema({
    schema: apiSchema,
    updateResolversInPlace: false, // the gateway keeps using its own schema object
    resolvers: {
      Subscription: {
        seatMapChanged: {
          subscribe: (_: unknown, { screeningId }: { screeningId: string }) =>
            natsFeed<SeatMapChange>(nc.subscribe(liveSeatsSubject(prefix, subjectToken(screeningId, "screeningId")))),
          resolve: payload,
        },
        myReservationsChanged: {
          subscribe: (_: unknown, _args: unknown, { viewer }: SubscriptionContext) =>
            natsFeed<MyReservation>(nc.subscribe(liveMypageSubject(prefix, ownSubjectToken(viewer)))),
          resolve: payload,
        },
        // Staff only: the dashboard's figures moved (mypage's dashboard read model, after commit).
        dashboardChanged: {
          subscribe: (_: unknown, _args: unknown, { viewer }: SubscriptionContext) => {
            requireAdmin(viewer);
            return natsFeed<DashboardChange>(nc.subscribe(liveDashboardSubject(prefix)));
          },
          resolve: payload,
        },
        reservationStatusChanged: {
          subscribe: async (_: unknown, { id }: { id: string }, { viewer }: SubscriptionContext) => {
            const user = requireUser(viewer);
            // Customers listen on their own subject; staff on everyone's, narrowed to this booking below.
            const subject = liveMypageSubject(prefix, user.role === "customer" ? ownSubjectToken(user) : "*");
            // Subscribe before reading the current state, so a change in between is not missed.
            const sub = nc.subscribe(subject);
            try {
              const current = await fetchMyReservation(mypageUrl(), id, user);
              // mypage answers null both for "no such booking" and "not yours": we say the same.
              if (!current) throw notFound("Reservation", id);
              const since = Date.parse(current.updatedAt);
              return natsFeed<MyReservation>(sub, {
                first: [current],
                // A notification older than the state we read would move the client backwards.
                filter: (r) => r.id === current.id && !(Date.parse(r.updatedAt) < since),
              });
            } catch (err) {
              sub.unsubscribe();
              throw err;
            }
          },
          resolve: payload,
        },
        waitingRoom: {
          subscribe: async (_: unknown, { screeningId }: { screeningId: string }, { viewer }: SubscriptionContext) => {
            const user = requireUser(viewer);
            // A crowd arriving at once: beyond WAITING_ROOM_JOINS_IN_FLIGHT joins under way, the
            // rest are told at once to come back in a moment (the web app does, by itself),
            // instead of all waiting behind each other for their place.
            if (joining >= maxJoining) throw busy({ dependency: "waiting-room", reason: "overload" });
            const room = subjectToken(screeningId, "screeningId");
            const join = () => joinWaitingRoom(reservationUrl(), room, user);
            // Listen before joining, so a tick in between is not missed.
            const feed = waitingRoomFeed((listener) => rooms.listen(room, listener), join);
            joining++;
            try {
              feed.start(await join());
              return feed;
            } catch (err) {
              await feed.return?.();
              throw err;
            } finally {
              joining--;
            }
          },
          resolve: payload,
        },
      },
    },
  });
}

/**
 * An id used as one token of a NATS subject. `.`, `*` and `>` would change the subject's meaning
 * (`screeningId: ">"` would listen to every screening), so they are refused.
 */
function subjectToken(value: string, field: string): string {
  if (!/^[^\s.*>]+$/.test(value)) throw badInput(field, `${field} is not a valid id.`);
  return value;
}
function ownSubjectToken(viewer: Viewer): string {
  const user = requireUser(viewer);
  if (!/^[^\s.*>]+$/.test(user.id)) throw forbidden("Live updates are not available for this account.");
  return user.id;
}

const MY_RESERVATION = `query ($id: ID!) {
  myReservation(id: $id) {
    id status paymentStatus ticketStatus ticketCode seatsReleased movieTitle auditoriumName screeningStartsAt
    seats amountCents currency refundedAmountCents bookedAt updatedAt
    history { at kind description }
  }
}`;

/** Asks mypage as the caller (their identity, as an internal token; mypage applies its own rules). */
async function fetchMyReservation(url: string | undefined, id: string, viewer: Viewer): Promise<MyReservation | null> {
  const data = await askAs<{ myReservation?: MyReservation | null }>(url, MY_RESERVATION, { id }, viewer, "My page");
  return data?.myReservation ?? null;
}

const JOIN_WAITING_ROOM = `mutation ($s: ID!) {
  joinWaitingRoom(screeningId: $s) { screeningId open number position admittedUpTo waiting ratePerSecond estimatedWaitSeconds pass passExpiresAt }
}`;

/** Joins (or finds the caller's place in) a waiting room at the reservation subgraph, as the caller. */
async function joinWaitingRoom(url: string | undefined, screeningId: string, viewer: Viewer): Promise<WaitingRoomStatus> {
  const data = await askAs<{ joinWaitingRoom: WaitingRoomStatus }>(url, JOIN_WAITING_ROOM, { s: screeningId }, viewer, "The waiting room");
  if (!data?.joinWaitingRoom) throw serviceUnavailable("The waiting room is not available right now; please try again shortly.");
  return data.joinWaitingRoom;
}

/**
 * Sends one operation to a subgraph as the caller (their identity, as an internal token; the
 * subgraph applies its own rules). Its typed refusals reach the client as they are; anything else
 * is "not available right now", naming `what`.
 */
async function askAs<T>(url: string | undefined, query: string, variables: Record<string, unknown>, viewer: Viewer, what: string): Promise<T | null | undefined> {
  const unavailable = () => serviceUnavailable(`${what} is not available right now; please try again shortly.`);
  if (!url) throw unavailable();
  let body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await internalIdentityHeaders(viewer)) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(5_000),
    });
    body = (await res.json()) as typeof body;
  } catch (err) {
    logger.warn({ err, what }, "subgraph unreachable for a subscription");
    throw unavailable();
  }
  const error = body.errors?.[0];
  if (error) {
    const { code, ...extensions } = (error.extensions ?? {}) as { code?: ErrorCode } & Record<string, unknown>;
    // Typed refusals pass through with their details (e.g. retryAfterSeconds of a shed request).
    if (code && code in ErrorCode && code !== ErrorCode.INTERNAL_SERVER_ERROR) throw new AppError(code, error.message, extensions);
    logger.warn({ error, what }, "subgraph refused a subscription's request");
    throw unavailable();
  }
  return body.data;
}

/**
 * Serves graphql-ws on `httpServer` at /graphql. `schema()` is the current subscription schema
 * (undefined until the gateway loaded its supergraph). `limits`: the same query limits as HTTP.
 */
export function serveSubscriptions(httpServer: http.Server, schema: () => GraphQLSchema | undefined, limits: QueryLimits = queryLimits()): Disposable {
  const wss = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: 100 * 1024 }); // as HTTP's body limit (ws allows 100 MiB)
  const rules = allRules(limits);
  const validDocuments = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();
  return useServer<Record<string, unknown>, SubscriptionContext>(
    {
      // Same rules as HTTP: no token is anonymous, a bad one is refused (here: the whole socket).
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        try {
          if (raw !== undefined && raw !== null && typeof raw !== "string") throw new Error("authorization must be a string");
          const authorization = raw || undefined;
          ctx.extra.viewer = await viewerFromHeader(authorization);
          return true;
        } catch {
          ctx.extra.socket.close(CloseCode.Unauthorized, "Unauthorized");
          return false; // not acknowledged; our close code stands
        }
      },
      onSubscribe: (ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] => {
        const current = schema();
        if (!current) return [serviceUnavailable("The gateway is starting; please try again shortly.")];
        // A crowd sends the same document thousands of times (the waiting room): parsed and
        // validated once per schema, then reused. Only valid documents are kept, bounded.
        let document = validDocuments.get(current)?.get(payload.query);
        if (!document) {
          try {
            document = parse(payload.query, { maxTokens: limits.maxTokens });
          } catch (err) {
            return [withCode(err as GraphQLError, "GRAPHQL_PARSE_FAILED")];
          }
          const invalid = validate(current, document, rules);
          if (invalid.length > 0) return invalid.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
          let known = validDocuments.get(current);
          if (!known) validDocuments.set(current, (known = new Map()));
          if (known.size >= 1000) known.clear();
          known.set(payload.query, document);
        }
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [badInput("operationName", "Name the operation to run (operationName).")];
        if (operation.operation !== "subscription") {
          return [badInput("query", `Only subscriptions are served over WebSocket; send ${operation.operation === "query" ? "queries" : "mutations"} as HTTP POST to /graphql.`)];
        }
        const contextValue: SubscriptionContext = { viewer: ctx.extra.viewer ?? null };
        return { schema: current, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      // The platform's one error mapping: typed refusals pass through, anything else is masked.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wss,
  );
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}
