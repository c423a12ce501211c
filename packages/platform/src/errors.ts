import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import { logger } from "./logger.ts";
import { isTransientDbError } from "./db.ts";

/** Every refusal the API can give. Clients switch on `extensions.code`. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  SEAT_UNAVAILABLE: "SEAT_UNAVAILABLE",
  PAYMENT_DECLINED: "PAYMENT_DECLINED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  CONFLICT: "CONFLICT",
  /** Too many attempts (e.g. `reserve` per user or per IP); HTTP 429 with Retry-After. */
  RATE_LIMITED: "RATE_LIMITED",
  /** The screening's waiting room is on: `reserve` needs a pass from joinWaitingRoom (issue 13). */
  WAITING_ROOM_REQUIRED: "WAITING_ROOM_REQUIRED",
  /** The waiting-room pass (and so the turn it was for) has expired: join the queue again. */
  PASS_EXPIRED: "PASS_EXPIRED",
  /** A pass that is forged, malformed, or someone else's / for another screening. */
  PASS_INVALID: "PASS_INVALID",
  /** `reserve` was sent the total the customer saw (expectedTotalCents) and the price rules have changed since. */
  PRICE_CHANGED: "PRICE_CHANGED",
  /**
   * A customer's cancellation after the cinema's cutoff before the start (issue 16):
   * `cancelCutoffMinutes`, `deadline` (ISO-8601) and `screeningStartsAt` say which rule and when.
   */
  CANCELLATION_CLOSED: "CANCELLATION_CLOSED",
  /**
   * A gift voucher (관람권) that cannot pay: `voucherCode`, `reason` (UNKNOWN, ALREADY_USED, WRONG_CLASS,
   * OTHER_CINEMA, EXPIRED) and, when a booking was refused, the `seat` it was for. Nothing was charged.
   */
  VOUCHER_INVALID: "VOUCHER_INVALID",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A refusal with a stable code and a message meant for people. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
    this.code = code;
  }
}

export const unauthenticated = (msg = "Sign in to do this.") => new AppError(ErrorCode.UNAUTHENTICATED, msg);
export const forbidden = (msg = "You are not allowed to do this.") => new AppError(ErrorCode.FORBIDDEN, msg);
export const notFound = (what: string, id?: string) =>
  new AppError(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);
export const badInput = (field: string, msg: string) => new AppError(ErrorCode.BAD_USER_INPUT, msg, { field });
/**
 * Seats someone else has, or that are not for sale (blocked by staff): `seats` names them all,
 * `soldSeats` those already sold (not just held), `blockedSeats` (when any) those not for sale.
 */
export function seatsTaken(taken: string[], soldSeats: string[] = [], blockedSeats: string[] = []): AppError {
  const others = taken.filter((label) => !blockedSeats.includes(label));
  const justTaken = `${others.join(", ")} ${others.length === 1 ? "was" : "were"} just taken`;
  const notForSale = `${blockedSeats.join(", ")} ${blockedSeats.length === 1 ? "is" : "are"} not for sale.`;
  const message = !blockedSeats.length
    ? taken.length
      ? `Sorry, ${justTaken}. Please choose other seats.`
      : "Those seats were just taken. Please choose other seats."
    : others.length
      ? `Sorry, ${justTaken}, and ${notForSale} Please choose other seats.`
      : `Sorry, ${notForSale} Please choose other seats.`;
  return new AppError(ErrorCode.SEAT_UNAVAILABLE, message, { seats: taken, soldSeats, ...(blockedSeats.length && { blockedSeats }) });
}
export const serviceUnavailable = (msg = "The service is busy right now; please try again shortly.") =>
  new AppError(ErrorCode.SERVICE_UNAVAILABLE, msg);

/** The seed's fallback, in both of the cinema's languages. */
export const BUSY_MESSAGE = "접속자가 많아 잠시 후 다시 시도해 주세요. Many customers right now — please try again shortly.";
/**
 * Refused because the system is saturated, a dependency hung or its breaker is open, or the
 * request's deadline passed: SERVICE_UNAVAILABLE with the busy message and when to try again
 * (`retryAfterSeconds`; `retryAfterHeader` turns it into a `Retry-After` header).
 */
export const busy = (extra: Record<string, unknown> = {}, retryAfterSeconds = 1) =>
  new AppError(ErrorCode.SERVICE_UNAVAILABLE, BUSY_MESSAGE, { retryAfterSeconds, ...extra });

/**
 * Every process's answers whose refusals say when to come back (extensions.retryAfterSeconds:
 * overload, an open breaker, a hung dependency) carry a `Retry-After` header: clients honour it,
 * and the gateway reads a subgraph's as "this subgraph shed work" (its admission limit shrinks).
 */
export function retryAfterHeader<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
          if (!errors?.length || response.http.headers.has("retry-after")) return;
          const waits = errors.map((e) => Number(e.extensions?.retryAfterSeconds)).filter((s) => Number.isFinite(s) && s > 0);
          if (waits.length > 0) response.http.headers.set("retry-after", String(Math.max(...waits)));
        },
      };
    },
  };
}

const KNOWN = new Set<string>(Object.values(ErrorCode));
/** Refusals a client can act on: every platform code but INTERNAL_SERVER_ERROR. */
export const REFUSAL_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR));
/** Codes Apollo itself produces for malformed requests; they are safe to pass through. */
export const APOLLO_REQUEST_CODES: ReadonlySet<string> = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

const NETWORK = /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|socket hang up|other side closed|fetch failed|UND_ERR_/;
/** A connection-level failure anywhere in the error's cause chain. */
function isUnreachable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 5) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; originalError?: unknown };
  if (NETWORK.test(String(e.code ?? "")) || NETWORK.test(String(e.message ?? ""))) return true;
  return isUnreachable(e.cause, depth + 1) || isUnreachable(e.originalError, depth + 1);
}

/**
 * The one error mapping of every server: typed refusals pass through with their message,
 * anything unexpected is logged in full and answered with a generic message (no stack, no SQL).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? "");
  const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
  if (KNOWN.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) return { ...formatted, extensions };
  if (APOLLO_REQUEST_CODES.has(code)) {
    // Variable coercion failures are the client's input: say so with the code clients handle.
    const input = code === "BAD_REQUEST" || /Variable "\$/.test(formatted.message);
    return { ...formatted, extensions: { ...extensions, code: input ? ErrorCode.BAD_USER_INPUT : code } };
  }
  if (code === "BAD_USER_INPUT") return { ...formatted, extensions };
  if (isUnreachable(error) || isUnreachable(unwrapResolverError(error)) || NETWORK.test(formatted.message)) {
    // The gateway could not reach a subgraph (stopped, restarting, crashed mid-request).
    const service = typeof extensions.serviceName === "string" ? `The ${extensions.serviceName} service` : "A service";
    logger.warn({ err: unwrapResolverError(error), path: formatted.path }, "subgraph unreachable");
    return { message: `${service} is unavailable right now; please try again shortly.`, path: formatted.path, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
  }
  if (isTransientDbError(unwrapResolverError(error))) {
    logger.warn({ err: unwrapResolverError(error), path: formatted.path }, "database busy");
    return { message: "We are very busy right now; please try again shortly.", path: formatted.path, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
  }
  logger.error({ err: unwrapResolverError(error), path: formatted.path }, "unexpected error");
  return {
    message: "Something went wrong on our side; please try again.",
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
