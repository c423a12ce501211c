import { useState, type FormEvent } from "react";
import { PageTitle } from "../components/PageTitle.tsx";
import { ErrorMessage } from "../errors.tsx";
import { useI18n } from "../i18n.tsx";
import { navigate, useLocation } from "../router.tsx";
import { useSession } from "../session.tsx";

/** The dev sign-in (POST /auth/dev-login, gateway/src/dev-login.ts), or a pasted token. */
export function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const params = useLocation().searchParams;
  const expired = params.get("expired") === "1";
  // Only a path on this site: never send someone on to another origin after signing in.
  const requested = params.get("returnTo") ?? "";
  const returnTo = requested.startsWith("/") && !requested.startsWith("//") ? requested : null;
  const [error, setError] = useState<unknown>();
  const [disabled, setDisabled] = useState(false);
  const [busy, setBusy] = useState(false);
  const [badToken, setBadToken] = useState(false);

  const done = (role: "customer" | "admin") => navigate(returnTo ?? (role === "admin" ? "/admin" : "/"), { replace: true });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    setError(undefined);
    setBusy(true);
    try {
      const res = await fetch("/auth/dev-login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ userId: String(f.get("userId")).trim(), role: f.get("role") }),
      });
      if (res.status === 404) return setDisabled(true);
      const body = (await res.json().catch(() => ({}))) as { token?: string; errors?: unknown[] };
      const session = body.token ? signIn(body.token) : null;
      if (session) done(session.role);
      else setError(body.errors ? body : new Error("no token"));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const pasteToken = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const token = String(new FormData(event.currentTarget).get("token")).trim().replace(/^Bearer\s+/i, "");
    const session = signIn(token);
    setBadToken(!session);
    if (session) done(session.role);
  };

  return (
    <>
      <PageTitle>{t("signin.title")}</PageTitle>
      {expired && <p className="notice notice-warn" role="alert">{t("signin.expired")}</p>}
      <div className="signin">
        <form className="card" onSubmit={(e) => void submit(e)} aria-describedby="signin-intro">
          <p id="signin-intro" className="muted">{t("signin.intro")}</p>
          <div className="field">
            <label htmlFor="userId">{t("signin.name")}</label>
            <input id="userId" name="userId" required maxLength={64} pattern="[A-Za-z0-9._\-]{1,64}" autoComplete="username" aria-describedby="userId-hint" />
            <p className="hint" id="userId-hint">{t("signin.nameHint")}</p>
          </div>
          <fieldset className="field">
            <legend>{t("signin.role")}</legend>
            <label className="choice">
              <input type="radio" name="role" value="customer" defaultChecked /> {t("signin.customer")}
            </label>
            <label className="choice">
              <input type="radio" name="role" value="admin" /> {t("signin.admin")}
            </label>
          </fieldset>
          {disabled && <p className="notice notice-warn" role="alert">{t("signin.disabled")}</p>}
          <ErrorMessage error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>{t("signin.submit")}</button>
        </form>
        <form className="card" onSubmit={pasteToken}>
          <div className="field">
            <label htmlFor="token">{t("signin.token")}</label>
            <textarea id="token" name="token" rows={3} required spellCheck={false} />
          </div>
          {badToken && <p className="notice notice-error" role="alert">{t("signin.badToken")}</p>}
          <button type="submit" className="button button-secondary">{t("signin.useToken")}</button>
        </form>
      </div>
    </>
  );
}
