import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { jwtSecret } from "./config.ts";
import { forbidden, unauthenticated, AppError } from "./errors.ts";

export type Role = "customer" | "admin" | "service";
/** Who is calling: a signed-in person, another subgraph, or nobody. */
export type Viewer = { id: string; role: Role } | null;

const ISSUER = "cinema";
const AUDIENCE = "cinema-api";
let key: Uint8Array | undefined;
const secretKey = () => (key ??= new TextEncoder().encode(jwtSecret()));

export async function signToken(sub: string, role: Role, ttl: string | number = "12h"): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(secretKey());
}

/** Verifies a bearer token (HS256 only: "none" and other algorithms are refused). */
export async function verifyToken(token: string): Promise<NonNullable<Viewer>> {
  try {
    const { payload } = await jwtVerify(token, secretKey(), { algorithms: ["HS256"], issuer: ISSUER, audience: AUDIENCE });
    const role = payload.role;
    if (typeof payload.sub !== "string" || !payload.sub || (role !== "customer" && role !== "admin" && role !== "service")) {
      throw unauthenticated("The token does not name a user and role.");
    }
    return { id: payload.sub, role };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw unauthenticated("Your sign-in has expired; sign in again.");
    throw unauthenticated("The bearer token is not valid.");
  }
}

/** Reads `Authorization: Bearer …`; no header means an anonymous viewer, a bad one is refused. */
export async function viewerFromHeader(header: string | undefined | null): Promise<Viewer> {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) throw unauthenticated("The Authorization header must be `Bearer <token>`.");
  return verifyToken(match[1]);
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
/** Internal mutations: only other subgraphs, with a service token, may call them. */
export function requireService(viewer: Viewer): NonNullable<Viewer> {
  const v = requireUser(viewer);
  if (v.role !== "service") throw forbidden("This operation is internal to the platform.");
  return v;
}
/** Owners see their own records; staff and services see all. */
export function canSee(viewer: Viewer, ownerId: string): boolean {
  return !!viewer && (viewer.id === ownerId || viewer.role === "admin" || viewer.role === "service");
}
