import { pino } from "pino";
import { logBindings } from "./observability.ts";

/**
 * Where credentials can appear in what we log: people's bearer tokens (Authorization), internal
 * identity tokens (x-cinema-identity), WebSocket connection params, card tokens. Exported for the test.
 */
export const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "req.headers.authorization",
  "requestHeaders.authorization",
  'headers["x-cinema-identity"]',
  '*.headers["x-cinema-identity"]',
  'req.headers["x-cinema-identity"]',
  'requestHeaders["x-cinema-identity"]',
  '*["x-cinema-identity"]',
  '["x-cinema-identity"]',
  "connectionParams.authorization",
  "connectionParams.Authorization",
  "*.connectionParams.authorization",
  "*.connectionParams.Authorization",
  "token",
  "*.token",
  "paymentToken",
  "*.paymentToken",
  "*.*.paymentToken",
  "jwtSecret",
  "*.jwtSecret",
];

/** Structured JSON logs; bearer tokens, identity tokens and secrets never reach the output. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.SERVICE_NAME ?? "cinema" },
  redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  // The request being served (requestId) and its trace (traceId, spanId), on every line written for it.
  mixin: logBindings,
});
