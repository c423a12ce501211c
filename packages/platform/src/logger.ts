import { pino } from "pino";

/** Structured JSON logs; bearer tokens and secrets never reach the output. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.SERVICE_NAME ?? "cinema" },
  redact: {
    paths: ["req.headers.authorization", "headers.authorization", "authorization", "token", "*.token", "paymentToken", "*.paymentToken"],
    censor: "[redacted]",
  },
});
