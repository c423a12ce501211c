// The gateway's protections against hostile input, configured from the environment: query limits
// (depth, aliases, cost, tokens), the introspection and IDE switches, and the per-user and per-IP
// rate limit of `reserve`. See SECURITY.md for what each one mitigates.
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";
import { GraphQLError, Kind, specifiedRules, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode, type ValidationRule } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { RequestContext } from "@cinema/platform/server";
import { intEnv } from "@cinema/platform/config";
import { AppError, ErrorCode } from "@cinema/platform/errors";

/** The gateway's request context: who is calling and from where (the rate limit keys). */
export interface GatewayContext extends RequestContext {
  /** The client's address (behind a trusted proxy, from X-Forwarded-For: see TRUST_PROXY). */
  clientIp: string;
  /** When the request's budget ends (this process's clock, ms), set once its operation is known (deadlines.ts). */
  deadline?: number;
}

/**
 * An on/off switch from the environment (`on|off`, also `true|false|1|0`): on by default in
 * development, off by default when NODE_ENV=production.
 */
export function switchedOn(name: string): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return process.env.NODE_ENV !== "production";
  if (["on", "true", "1", "yes"].includes(raw)) return true;
  if (["off", "false", "0", "no"].includes(raw)) return false;
  throw new Error(`${name} must be on or off, got ${process.env[name]}`);
}

export interface QueryLimits {
  /** Nesting of selections (introspection's own nesting is not counted). */
  maxDepth: number;
  /** Aliased fields per operation (fragments counted where they are spread). */
  maxAliases: number;
  /** graphql-armor's cost: 1 per scalar, 2 per object, ×1.5 per level, × a literal `first`. */
  maxCost: number;
  /** Lexical tokens per document, enforced by the parser before anything else. */
  maxTokens: number;
  /** Nesting of the variables' JSON (the API's inputs need 3 levels). */
  maxVariableDepth: number;
}

export function queryLimits(): QueryLimits {
  return {
    maxDepth: intEnv("GRAPHQL_MAX_DEPTH", 10),
    maxAliases: intEnv("GRAPHQL_MAX_ALIASES", 15),
    maxCost: intEnv("GRAPHQL_MAX_COST", 5000),
    maxTokens: intEnv("GRAPHQL_MAX_TOKENS", 2000),
    maxVariableDepth: intEnv("GRAPHQL_MAX_VARIABLE_DEPTH", 10),
  };
}

type RejectCallback = NonNullable<NonNullable<Parameters<typeof maxDepthRule>[0]>["onReject"]>[number];

/**
 * graphql-armor's rules, reporting as ordinary validation errors (GRAPHQL_VALIDATION_FAILED, 400)
 * instead of throwing out of `validate` (their default), and without the "Syntax Error" prefix.
 */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  const report: RejectCallback = (context, error) =>
    context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ""), { extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }));
  const common = { propagateOnRejection: false, onReject: [report], exposeLimits: true };
  return [
    maxDepthRule({ ...common, n: limits.maxDepth }),
    maxAliasesRule({ ...common, n: limits.maxAliases }),
    costLimitRule({ ...common, maxCost: limits.maxCost }),
  ];
}

/** The full validation of a document at the gateway (graphql's rules plus the limits), for graphql-ws. */
export const allRules = (limits: QueryLimits): ValidationRule[] => [...specifiedRules, ...limitRules(limits)];

/** How many times `field` is selected at the root of `operation` (through fragments, aliases included). */
export function rootFieldCount(operation: OperationDefinitionNode, document: DocumentNode, field: string): number {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const seen = new Set<string>();
  const count = (set: SelectionSetNode): number =>
    set.selections.reduce((n, s) => {
      if (s.kind === Kind.FIELD) return n + (s.name.value === field ? 1 : 0);
      if (s.kind === Kind.INLINE_FRAGMENT) return n + count(s.selectionSet);
      const fragment = fragments.get(s.name.value);
      if (!fragment || seen.has(s.name.value)) return n;
      seen.add(s.name.value);
      return n + count(fragment.selectionSet);
    }, 0);
  return count(operation.selectionSet);
}

export interface RateLimits {
  /** `reserve` calls per user per minute; 0 turns the limit off. */
  perUser: number;
  /** `reserve` calls per client IP per minute (signed in or not); 0 turns the limit off. */
  perIp: number;
}

export const reserveRateLimits = (): RateLimits => ({
  perUser: intEnv("RESERVE_RATE_PER_MINUTE", 30),
  perIp: intEnv("RESERVE_RATE_PER_IP_PER_MINUTE", 120),
});

/**
 * Rate-limits `reserve` per user and per client IP (fixed one-minute windows, in this process's
 * memory: several gateway replicas need rate-limiter-flexible's Redis or Postgres store). Each
 * `reserve` in an operation (aliases too) costs one point, refused or not. Over the limit, the
 * operation is refused before anything runs: RATE_LIMITED, HTTP 429 and `Retry-After`.
 */
export function reserveRateLimit(limits: RateLimits = reserveRateLimits()): ApolloServerPlugin<GatewayContext> {
  const perUser = limits.perUser > 0 ? new RateLimiterMemory({ keyPrefix: "reserve-user", points: limits.perUser, duration: 60 }) : undefined;
  const perIp = limits.perIp > 0 ? new RateLimiterMemory({ keyPrefix: "reserve-ip", points: limits.perIp, duration: 60 }) : undefined;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation?.operation !== "mutation") return;
          const points = rootFieldCount(operation, document, "reserve");
          if (points === 0) return;
          const { viewer, clientIp } = contextValue;
          const checks: Promise<RateLimiterRes>[] = [];
          if (perUser && viewer) checks.push(perUser.consume(`${viewer.role}:${viewer.id}`, points));
          if (perIp) checks.push(perIp.consume(clientIp || "unknown", points));
          const refused = (await Promise.allSettled(checks)).flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
          if (refused.length === 0) return;
          const unexpected = refused.find((r) => !(r instanceof RateLimiterRes));
          if (unexpected) throw unexpected;
          const waitMs = Math.max(...refused.map((r) => (r as RateLimiterRes).msBeforeNext));
          const seconds = Math.max(1, Math.ceil(waitMs / 1000));
          throw new AppError(ErrorCode.RATE_LIMITED, `Too many booking attempts; please wait ${seconds} seconds and try again.`, {
            retryAfterSeconds: seconds,
            http: { status: 429, headers: new Map([["retry-after", String(seconds)]]) },
          });
        },
      };
    },
  };
}

/** True when `value` nests deeper than `limit` (iterative: a hostile depth cannot overflow the stack). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (depth > limit) return true;
    if (v !== null && typeof v === "object") for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * What Apollo Server leaves to the executor, refused before execution with a typed 400:
 * - a document without the operation the request names (or with several and no name):
 *   @apollo/gateway's executor would throw an untyped error (a 500);
 * - variables nested deeper than any input of the API (a custom scalar such as DateTime takes any
 *   JSON, which would otherwise travel on to a subgraph, however deep).
 */
export function wellFormedRequests<C extends object>(limits: Pick<QueryLimits, "maxVariableDepth">): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) {
            const name = request.operationName;
            throw new GraphQLError(
              name ? `The document has no operation named "${name.slice(0, 100)}".` : "The document has several operations: name the one to run (operationName).",
              { extensions: { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } } },
            );
          }
          if (nestsDeeperThan(request.variables ?? {}, limits.maxVariableDepth)) {
            throw new AppError(ErrorCode.BAD_USER_INPUT, `variables: nested more than ${limits.maxVariableDepth} levels deep.`, { field: "variables", http: { status: 400 } });
          }
        },
      };
    },
  };
}

/**
 * The client's address as the gateway sees it: the socket's peer, or, behind trusted proxies
 * (TRUST_PROXY), the first untrusted address of X-Forwarded-For — what Express's `req.ip` gives
 * (same proxy-addr rules), for /graphql, which does not go through Express.
 */
export function clientAddress(): (req: IncomingMessage) => string {
  const setting = trustProxy();
  const trust: (address: string, hop: number) => boolean =
    typeof setting === "boolean" ? () => setting : typeof setting === "number" ? (_address, hop) => hop < setting : proxyaddr.compile(setting.split(",").map((s) => s.trim()));
  return (req) => proxyaddr(req, trust) || "unknown";
}

/** Express's `trust proxy` from TRUST_PROXY: off (default), on, a hop count, or addresses/subnets. */
export function trustProxy(): boolean | number | string {
  const raw = process.env.TRUST_PROXY?.trim();
  if (!raw || ["off", "false", "0"].includes(raw.toLowerCase())) return false;
  if (["on", "true"].includes(raw.toLowerCase())) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}
