import { readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, for files the project keeps (migrations, schemas, the local state folder). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** Machine-local state (embedded database, generated dev secret); never committed. */
export const localDir = path.join(repoRoot, ".local");

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${raw}`);
  return n;
}

/**
 * The JWT signing secret: JWT_SECRET from the environment, else a random one generated once into
 * .local/jwt-secret so a laptop run and `npm run token` agree without any secret in the repository.
 */
export function jwtSecret(): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  if (process.env.NODE_ENV === "production") throw new Error("JWT_SECRET must be set in production");
  const file = path.join(localDir, "jwt-secret");
  if (!existsSync(file)) {
    mkdirSync(localDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  }
  return readFileSync(file, "utf8").trim();
}

/** Prefix of every event subject and the stream's name; tests use their own to stay apart. */
export function eventsPrefix(): string {
  return process.env.EVENTS_PREFIX ?? "cinema";
}
