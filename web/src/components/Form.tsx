import type { ReactNode } from "react";
import { ErrorMessage } from "../errors.tsx";

export function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <p className="hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}

/** A form's outcome: the success line, or the API's refusal in words. */
export function Outcome({ ok, error }: { ok?: string; error?: unknown }) {
  return (
    <div aria-live="polite">
      {ok && !error && <p className="notice notice-ok">{ok}</p>}
      <ErrorMessage error={error} />
    </div>
  );
}
