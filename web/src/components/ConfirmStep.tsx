import type { ReactNode } from "react";
import { useI18n } from "../i18n.tsx";

/**
 * The second step of something that cannot be undone (cancelling a booking or some of its seats):
 * what will happen, then yes (focused) or no. `busy` while the request runs.
 */
export function ConfirmStep({ id, children, yes, busy, onYes, onNo }: { id: string; children: ReactNode; yes: string; busy: boolean; onYes: () => void; onNo: () => void }) {
  const { t } = useI18n();
  return (
    <div className="confirm" role="group" aria-labelledby={id}>
      <p id={id}>{children}</p>
      <button type="button" className="button button-danger" onClick={onYes} disabled={busy} autoFocus>
        {busy ? t("me.cancelling") : yes}
      </button>
      <button type="button" className="button button-ghost" onClick={onNo}>
        {t("me.cancelNo")}
      </button>
    </div>
  );
}
