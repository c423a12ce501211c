import { createHmac } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { jwtSecret } from "./config.ts";
import { forbidden, unauthenticated, AppError } from "./errors.ts";

export type Role = "customer" | "admin" | "service";
/** The roles a person's bearer token may carry; `service` exists only inside the platform. */
export type UserRole = Exclude<Role, "service">;
/** Who is calling: a signed-in person, another subgraph, or nobody. */
export type Viewer = { id: string; role: Role } | null;

const ISSUER = "cinema";
/** People's bearer tokens: verified by the gateway only. */
const AUDIENCE = "cinema-api";
/** Identity inside the platform: the gateway (or a subgraph, as `service`) to a subgraph. */
const INTERNAL_AUDIENCE = "cinema-internal";
/** The header that carries the internal identity token. Subgraphs read nothing else. */
export const INTERNAL_HEADER = "x-cinema-identity";
/** Lifetime of an internal token, and how long the gateway reuses one per user and role. */
const INTERNAL_TTL_SECONDS = 60;
const INTERNAL_REUSE_MS = 30_000;
const ANONYMOUS = { sub: "anonymous", role: "anonymous" } as const;

let key: Uint8Array | undefined;
const secretKey = () => (key ??= new TextEncoder().encode(jwtSecret()));
/**
 * A signing key of its own for one kind of token, derived from JWT_SECRET (HMAC with a fixed
 * label): one secret is configured, yet no kind of token can verify as another.
 */
export const derivedKey = (label: string) => new Uint8Array(createHmac("sha256", jwtSecret()).update(label).digest());
let internalKey: Uint8Array | undefined;
/**
 * The internal tokens' key: INTERNAL_JWT_SECRET when set, else derived from JWT_SECRET (HMAC with
 * a fixed label), so one secret is configured but a person's token can never verify as internal.
 */
const internalSecretKey = () =>
  (internalKey ??= process.env.INTERNAL_JWT_SECRET
    ? new TextEncoder().encode(process.env.INTERNAL_JWT_SECRET)
    : derivedKey("cinema-internal-identity-v1"));

/** A person's bearer token (customer or staff), as `npm run token` and the dev sign-in hand out. */
export async function signToken(sub: string, role: UserRole, ttl: string | number = "12h"): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(secretKey());
}

/**
 * Tokens already verified, until their own expiry: the same callers send the same token many times
 * (the gateway reuses an internal token for 30 s), and a signature check is not free. Only valid
 * tokens are kept, bounded: a flood of distinct tokens costs re-verification, not memory.
 */
function verifiedCache<V>() {
  const verified = new Map<string, { value: V; until: number }>();
  return async (token: string, verify: () => Promise<{ value: V; exp: number }>): Promise<V> => {
    const hit = verified.get(token);
    if (hit && hit.until > Date.now()) return hit.value;
    const { value, exp } = await verify();
    if (verified.size >= 10_000) verified.clear();
    verified.set(token, { value, until: exp * 1000 });
    return value;
  };
}
const verifiedTokens = verifiedCache<NonNullable<Viewer>>();
const verifiedInternalTokens = verifiedCache<Viewer>();

function refusal(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof joseErrors.JWTExpired) return unauthenticated("Your sign-in has expired; sign in again.");
  return unauthenticated(what);
}

/** Verifies a person's bearer token (HS256 only: "none" and other algorithms are refused; `exp` required). */
export async function verifyToken(token: string): Promise<NonNullable<Viewer>> {
  try {
    return await verifiedTokens(token, async () => {
      const { payload } = await jwtVerify(token, secretKey(), { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE, requiredClaims: ["exp", "sub"] });
      const role = payload.role;
      if (typeof payload.sub !== "string" || !payload.sub || (role !== "customer" && role !== "admin")) {
        throw unauthenticated("The token does not name a user and role.");
      }
      return { value: { id: payload.sub, role }, exp: payload.exp! };
    });
  } catch (err) {
    throw refusal(err, "The bearer token is not valid.");
  }
}

/** Reads `Authorization: Bearer …` (at the gateway); no header means an anonymous viewer, a bad one is refused. */
export async function viewerFromHeader(header: string | undefined | null): Promise<Viewer> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthenticated("The Authorization header must be `Bearer <token>`.");
  return verifyToken(match[1]);
}

/**
 * An internal identity token for `viewer` (null: anonymous), valid for `ttlSeconds` (default 60).
 * The gateway signs one per request's user; subgraphs sign their own as `service`.
 */
export async function signInternalToken(viewer: Viewer, { ttlSeconds = INTERNAL_TTL_SECONDS } = {}): Promise<string> {
  const { sub, role } = viewer ? { sub: viewer.id, role: viewer.role } : ANONYMOUS;
  return new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(internalSecretKey());
}

const issued = new Map<string, { token: string; until: number }>();
/** `{ "x-cinema-identity": token }` for `viewer`, reusing a token for 30 s per user and role. */
export async function internalIdentityHeaders(viewer: Viewer): Promise<Record<string, string>> {
  const cacheKey = viewer ? `${viewer.role}\u0000${viewer.id}` : "\u0000anonymous";
  const now = Date.now();
  let hit = issued.get(cacheKey);
  if (!hit || hit.until <= now) {
    if (issued.size >= 10_000) issued.clear(); // bounded: a flood of distinct users costs a re-sign, not memory
    hit = { token: await signInternalToken(viewer), until: now + INTERNAL_REUSE_MS };
    issued.set(cacheKey, hit);
  }
  return { [INTERNAL_HEADER]: hit.token };
}

/** Verifies an internal identity token; the anonymous identity is the null viewer. */
export async function verifyInternalToken(token: string): Promise<Viewer> {
  try {
    return await verifiedInternalTokens(token, async () => {
      const { payload } = await jwtVerify(token, internalSecretKey(), {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: INTERNAL_AUDIENCE,
        requiredClaims: ["exp", "sub"],
      });
      const role = payload.role;
      if (role === ANONYMOUS.role && payload.sub === ANONYMOUS.sub) return { value: null, exp: payload.exp! };
      if (typeof payload.sub !== "string" || !payload.sub || (role !== "customer" && role !== "admin" && role !== "service")) {
        throw unauthenticated("The identity does not name a user and role.");
      }
      return { value: { id: payload.sub, role }, exp: payload.exp! };
    });
  } catch (err) {
    throw refusal(err, "The internal identity is not valid; requests must come through the gateway.");
  }
}

/**
 * What a subgraph knows of its caller: only the internal identity header (a person's bearer token
 * is never read). Without one the request did not come through the gateway and is refused.
 */
export async function viewerFromInternalHeader(header: string | string[] | undefined | null): Promise<Viewer> {
  if (typeof header !== "string" || !header) throw unauthenticated("Requests must come through the gateway.");
  return verifyInternalToken(header.trim());
}

export function requireUser(viewer: Viewer): NonNullable<Viewer> {
  if (!viewer) throw unauthenticated();
  return viewer;
}
export function requireAdmin(viewer: Viewer): NonNullable<Viewer> {
  const v = requireUser(viewer);
  if (v.role !== "admin") throw forbidden("Only cinema staff (admin role) can do this.");
  return v;
}
/** Internal mutations: only other subgraphs, with a service identity, may call them. */
export function requireService(viewer: Viewer): NonNullable<Viewer> {
  const v = requireUser(viewer);
  if (v.role !== "service") throw forbidden("This operation is internal to the platform.");
  return v;
}
/** Owners see their own records; staff and services see all. */
export function canSee(viewer: Viewer, ownerId: string): boolean {
  return !!viewer && (viewer.id === ownerId || viewer.role === "admin" || viewer.role === "service");
}
