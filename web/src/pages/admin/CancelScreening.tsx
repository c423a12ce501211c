// Staff call a screening off (a projector breaks): movie's cancelScreening, behind a confirmation
// step, then the cancellation's progress (reservation's screeningCancellation) polled every second
// until every booking is cancelled and refunded.
import { useEffect, useState, type FormEvent } from "react";
import { gql, useMutation, useQuery } from "urql";
import { Field } from "../../components/Form.tsx";
import { ErrorMessage } from "../../errors.tsx";
import { useI18n } from "../../i18n.tsx";

interface Progress {
  screeningId: string;
  reason: string;
  total: number;
  cancelled: number;
  refunded: number;
  done: boolean;
}

const STATE = gql<{ screening: { id: string; status: string; cancelReason: string | null } | null; screeningCancellation: Progress | null }, { id: string }>`
  query ScreeningCancellationState($id: ID!) {
    screening(id: $id) { id status cancelReason }
    screeningCancellation(screeningId: $id) { screeningId reason total cancelled refunded done }
  }
`;
const CANCEL_SCREENING = gql<{ cancelScreening: { id: string; status: string; cancelReason: string | null } }, { id: string; reason: string }>`
  mutation CancelScreening($id: ID!, $reason: String!) { cancelScreening(id: $id, reason: $reason) { id status cancelReason } }
`;
const POLL_MS = 1_000;

export function CancelScreening({ screeningId, onCancelled }: { screeningId: string; onCancelled: () => void }) {
  const { t } = useI18n();
  const [{ data, error }, refetch] = useQuery({ query: STATE, variables: { id: screeningId }, requestPolicy: "network-only" });
  const [result, cancelScreening] = useMutation(CANCEL_SCREENING);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const cancelled = data?.screening?.status === "CANCELLED" || result.data?.cancelScreening.status === "CANCELLED";
  const progress = data?.screeningCancellation;
  // Live progress: asked again every second until every booking is cancelled and refunded.
  useEffect(() => {
    if (!cancelled || progress?.done) return;
    const timer = setInterval(() => refetch({ requestPolicy: "network-only" }), POLL_MS);
    return () => clearInterval(timer);
  }, [cancelled, progress?.done, refetch]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (reason.trim()) setConfirming(true);
  };
  const confirm = async () => {
    const res = await cancelScreening({ id: screeningId, reason: reason.trim() });
    setConfirming(false);
    if (res.data) {
      refetch({ requestPolicy: "network-only" });
      onCancelled();
    }
  };

  if (cancelled) {
    const why = data?.screening?.cancelReason ?? result.data?.cancelScreening.cancelReason ?? "";
    return (
      <section className="card cancel-screening" aria-labelledby="cancel-screening-title" data-testid="screening-cancellation">
        <h2 id="cancel-screening-title">{t("admin.cancelScreening")}</h2>
        <p className="notice notice-error">{t("admin.screeningCancelled", { reason: why })}</p>
        <div aria-live="polite">
          {!progress ? (
            <p aria-busy="true">{t("admin.cancelStarting")}</p>
          ) : (
            <>
              <progress style={{ width: "100%" }} max={Math.max(1, progress.total * 2)} value={progress.cancelled + progress.refunded} aria-label={t("admin.cancelScreening")} />
              <p data-testid="cancel-progress">
                {progress.done ? t("admin.cancelDone", { total: progress.total }) : t("admin.cancelProgress", { total: progress.total, cancelled: progress.cancelled, refunded: progress.refunded })}
              </p>
            </>
          )}
        </div>
        <ErrorMessage error={error} />
      </section>
    );
  }
  return (
    <section className="card cancel-screening" aria-labelledby="cancel-screening-title">
      <h2 id="cancel-screening-title">{t("admin.cancelScreening")}</h2>
      <p className="hint">{t("admin.cancelScreeningHelp")}</p>
      <form onSubmit={submit}>
        <Field id="cancel-screening-reason" label={t("admin.cancelReason")}>
          <input id="cancel-screening-reason" value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={300} />
        </Field>
        {confirming ? (
          <div className="confirm" role="group" aria-labelledby="cancel-screening-confirm">
            <p id="cancel-screening-confirm">{t("admin.cancelScreeningConfirm")}</p>
            <button type="button" className="button button-danger" onClick={() => void confirm()} disabled={result.fetching} autoFocus>
              {result.fetching ? t("admin.cancellingScreening") : t("admin.cancelScreeningYes")}
            </button>
            <button type="button" className="button button-ghost" onClick={() => setConfirming(false)}>{t("admin.cancelScreeningNo")}</button>
          </div>
        ) : (
          <button type="submit" className="button button-danger">{t("admin.cancelScreening")}</button>
        )}
      </form>
      <ErrorMessage error={result.error} />
    </section>
  );
}
