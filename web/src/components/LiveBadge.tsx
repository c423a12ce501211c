import { useLive } from "../api.tsx";
import { useI18n } from "../i18n.tsx";

/** Whether the page is receiving live updates (the subscription socket is up). */
export function LiveBadge() {
  const { t } = useI18n();
  const live = useLive();
  const state = t(live ? "live.on" : "live.off");
  return (
    <span className={`live-badge${live ? " is-live" : ""}`} data-live={live} role="status" aria-label={t("live.label", { state })}>
      <span className="dot" aria-hidden="true" />
      {state}
    </span>
  );
}
