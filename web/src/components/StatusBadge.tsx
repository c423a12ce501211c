import { useI18n, type MessageKey } from "../i18n.tsx";

/** A status word (reservation, payment or ticket) in the visitor's language, coloured by meaning. */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  const { t } = useI18n();
  const key = `status.${status ?? "none"}` as MessageKey;
  const label = status && key in STATUS_KEYS ? t(key) : status ?? t("status.none");
  return (
    <span className={`badge badge-${(status ?? "none").toLowerCase()}`} data-status={status ?? ""}>
      {label}
    </span>
  );
}

const STATUS_KEYS: Record<string, true> = Object.fromEntries(
  ["PENDING", "CONFIRMED", "CANCELLED", "FAILED", "CAPTURED", "REFUNDED", "DECLINED", "VOIDED", "ISSUED", "VOID"].map((s) => [`status.${s}`, true]),
);
