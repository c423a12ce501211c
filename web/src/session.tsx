// Who is signed in: the bearer token from /auth/dev-login (or pasted from `npm run token`), kept in
// localStorage so a reload stays signed in. The UI reads the role only to hide staff pages from
// customers; the API checks the token itself and refuses anything the role may not do.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

export interface Session {
  token: string;
  userId: string;
  role: "customer" | "admin";
  /** Seconds since the epoch. */
  expiresAt: number;
}

const STORAGE_KEY = "cinema.token";

/** Reads the JWT's claims (no verification: that is the server's job). */
export function sessionFromToken(token: string): Session | null {
  try {
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: unknown; role?: unknown; exp?: unknown };
    if (typeof payload.sub !== "string" || (payload.role !== "customer" && payload.role !== "admin")) return null;
    const expiresAt = typeof payload.exp === "number" ? payload.exp : Infinity;
    if (expiresAt * 1000 <= Date.now()) return null;
    return { token, userId: payload.sub, role: payload.role, expiresAt };
  } catch {
    return null;
  }
}

interface SessionState {
  session: Session | null;
  signIn(token: string): Session | null;
  signOut(): void;
}
const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved ? sessionFromToken(saved) : null;
  });
  const signIn = useCallback((token: string) => {
    const next = sessionFromToken(token);
    if (next) localStorage.setItem(STORAGE_KEY, token);
    setSession(next);
    return next;
  }, []);
  const signOut = useCallback(() => {
    localStorage.removeItem(STORAGE_KEY);
    setSession(null);
  }, []);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}
