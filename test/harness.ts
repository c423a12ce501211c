// Helpers for the end-to-end tests: a whole stack per test file, on its own databases and event
// prefix, against the cheapest infrastructure available (see testInfra in scripts/lib/infra.ts).
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { GraphQLFormattedError } from "graphql";
import { connect } from "@nats-io/transport-node";
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from "@nats-io/jetstream";
import { signToken } from "@cinema/platform/auth";
import { streamNameFor } from "@cinema/platform/events";
import { dropDatabase, testInfra } from "../scripts/lib/infra.ts";
import { startStack, type Stack, type StackOptions } from "../scripts/lib/stack.ts";
import { DATABASE_OWNERS, type DatabaseOwner } from "../scripts/lib/subgraphs.ts";

// One secret for this test process, set before platform's auth.ts first reads (and caches) it:
// every stack started here gets it (startStack's default), and tokenFor signs with it.
process.env.JWT_SECRET ??= randomBytes(32).toString("base64url");
// The gateway's rate limits of reserve (per user, per IP) are off unless a test sets them (env):
// every test client shares 127.0.0.1, and some tests race hundreds of customers on purpose.
process.env.RESERVE_RATE_PER_MINUTE ??= "0";
process.env.RESERVE_RATE_PER_IP_PER_MINUTE ??= "0";

export interface GqlResult<T = any> {
  status: number;
  data: T | null | undefined;
  errors: GraphQLFormattedError[] | undefined;
}
export interface GqlOptions {
  token?: string;
  headers?: Record<string, string>;
}

export interface TestStack {
  stack: Stack;
  /** POSTs to the gateway; GraphQL errors come back in `errors`, never thrown. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, opts?: GqlOptions): Promise<GqlResult<T>>;
  tokenFor(userId: string, role?: "customer" | "admin"): Promise<string>;
  /** Runs SQL against one subgraph's database of this stack (invariant checks). */
  sql<R extends pg.QueryResultRow = any>(subgraph: DatabaseOwner, text: string, params?: unknown[]): Promise<R[]>;
  /** Stops the processes, drops the databases, deletes the JetStream stream. */
  cleanup(): Promise<void>;
}

let current: Stack | undefined;

export async function startTestStack(opts: Pick<StackOptions, "env" | "envFor"> & { natsUrl?: string } = {}): Promise<TestStack> {
  const { natsUrl: ownNats, ...stackOpts } = opts;
  const infra = await testInfra();
  const natsUrl = ownNats ?? infra.natsUrl;
  const prefix = `t${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const release = async () => {
    // Only `${prefix}_<name>` (IF EXISTS): a DATABASE_URL_<NAME> override is never dropped.
    for (const name of DATABASE_OWNERS) await dropDatabase(infra.serverUrl, `${prefix}_${name}`);
    await deleteStream(natsUrl, streamNameFor(prefix));
    await infra.stop();
  };
  let stack: Stack;
  try {
    stack = await startStack({ serverUrl: infra.serverUrl, natsUrl, dbPrefix: prefix, eventsPrefix: prefix, log: "silent", ...stackOpts });
  } catch (err) {
    await release().catch(() => {}); // the start failure is the news
    throw err;
  }
  current = stack;

  const gql = async <T = any>(query: string, variables?: Record<string, unknown>, { token, headers }: GqlOptions = {}): Promise<GqlResult<T>> => {
    const res = await fetch(stack.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    try {
      const body = JSON.parse(text) as { data?: T | null; errors?: GraphQLFormattedError[] };
      return { status: res.status, data: body.data, errors: body.errors };
    } catch {
      return { status: res.status, data: undefined, errors: [{ message: `not a JSON response (HTTP ${res.status}): ${text.slice(0, 500)}` }] };
    }
  };
  return {
    stack,
    gql,
    tokenFor: (userId, role = "customer") => signToken(userId, role),
    sql: (subgraph, text, params) => query(stack.databaseUrls[subgraph], text, params),
    cleanup: async () => {
      if (current === stack) current = undefined;
      await stack.stopAll();
      await release();
    },
  };
}

/** Runs SQL against a subgraph's database of the most recently started test stack. */
export function sql<R extends pg.QueryResultRow = any>(subgraph: DatabaseOwner, text: string, params: unknown[] = []): Promise<R[]> {
  if (!current) throw new Error("sql(): no test stack is running; call startTestStack() first");
  return query<R>(current.databaseUrls[subgraph], text, params);
}

async function query<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Polls `fn` until it returns a truthy value (which it resolves with). A throw counts as "not yet"
 * (so `expect` works inside); on timeout the last error, or a timeout error, is thrown.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, { timeoutMs = 15_000, intervalMs = 100 } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) throw lastError ?? new Error(`waitFor: still falsy after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

async function deleteStream(natsUrl: string, stream: string): Promise<void> {
  const nc = await connect({ servers: natsUrl.split(","), reconnect: false });
  try {
    await (await jetstreamManager(nc)).streams.delete(stream);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  } finally {
    await nc.close();
  }
}
