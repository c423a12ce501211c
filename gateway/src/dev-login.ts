// POST /auth/dev-login: a token for any name and role, so the web app can be tried on one machine
// without an identity provider. Off in production (NODE_ENV=production) or with DEV_LOGIN=off, and
// then it answers 404 like any unknown path. `npm run token` signs the same kind of token.
import express, { type Express } from "express";
import { z } from "zod";
import { signToken } from "@cinema/platform/auth";
import { ErrorCode } from "@cinema/platform/errors";

const body = z.object({
  userId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1–64 letters, digits, dots, dashes or underscores"),
  role: z.enum(["customer", "admin"]),
});

export const devLoginEnabled = () => process.env.NODE_ENV !== "production" && process.env.DEV_LOGIN !== "off";

export function mountDevLogin(app: Express): void {
  // Read at start-up: whether a process hands out tokens is part of its configuration, not a request.
  if (!devLoginEnabled()) return;
  app.post("/auth/dev-login", express.json({ limit: "1kb" }), async (req, res) => {
    const parsed = body.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join(".") || "body";
      // The API's error shape and code, so clients handle it like any other refusal.
      res.status(400).json({ errors: [{ message: `${field} ${issue.message}`, extensions: { code: ErrorCode.BAD_USER_INPUT, field } }] });
      return;
    }
    const { userId, role } = parsed.data;
    res.set("cache-control", "no-store").json({ token: await signToken(userId, role) });
  });
}
