import { GraphQLClient, ClientError } from "graphql-request";
import { signToken } from "./auth.ts";
import { AppError, ErrorCode, serviceUnavailable } from "./errors.ts";
import { logger } from "./logger.ts";

const PASS_THROUGH = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.SEAT_UNAVAILABLE,
  ErrorCode.PAYMENT_DECLINED,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.CONFLICT,
  ErrorCode.FORBIDDEN,
]);

let cachedToken: { token: string; at: number } | undefined;
/** Subgraphs call each other as the platform itself (role `service`), re-signed every half hour. */
async function serviceToken(): Promise<string> {
  if (!cachedToken || Date.now() - cachedToken.at > 30 * 60_000) {
    cachedToken = { token: await signToken(process.env.SERVICE_NAME ?? "service", "service", "1h"), at: Date.now() };
  }
  return cachedToken.token;
}

/**
 * A GraphQL client for one other subgraph: a deadline on every call, the service identity, and
 * the callee's typed refusals re-thrown as ours. A timeout or a connection failure becomes
 * SERVICE_UNAVAILABLE; `outcomeUnknown` tells the caller the request may have taken effect.
 */
export class SubgraphClient {
  private readonly client: GraphQLClient;
  constructor(
    readonly name: string,
    url: string,
    private readonly timeoutMs: number,
  ) {
    this.client = new GraphQLClient(url);
  }

  async request<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    try {
      return await this.client.request<T>({
        document,
        variables,
        requestHeaders: { authorization: `Bearer ${await serviceToken()}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): AppError {
    if (err instanceof ClientError) {
      const first = err.response.errors?.[0];
      const code = String(first?.extensions?.code ?? "");
      if (first && PASS_THROUGH.has(code)) return new AppError(code as ErrorCode, first.message, { ...first.extensions, code });
      logger.error({ subgraph: this.name, errors: err.response.errors, status: err.response.status }, "subgraph call failed");
      return serviceUnavailable(`The ${this.name} service could not complete the request; please try again shortly.`);
    }
    const timedOut = (err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError";
    logger.warn({ subgraph: this.name, err: (err as Error)?.message }, timedOut ? "subgraph call timed out" : "subgraph unreachable");
    return new AppError(
      ErrorCode.SERVICE_UNAVAILABLE,
      timedOut
        ? `The ${this.name} service did not answer in time; please try again shortly.`
        : `The ${this.name} service is unavailable right now; please try again shortly.`,
      { outcomeUnknown: timedOut },
    );
  }
}
