import { useEffect, useRef } from "react";
import { useSubscription } from "urql";
import { ErrorMessage, toProblem } from "../errors.tsx";
import { useI18n, type Translate } from "../i18n.tsx";
import { WAITING_ROOM_STATUS, type WaitingRoomStatus } from "../queries.ts";
import { LiveBadge } from "./LiveBadge.tsx";

function eta(seconds: number, t: Translate): string {
  if (seconds <= 0) return t("waiting.etaSoon");
  if (seconds < 60) return t("waiting.eta", { time: t("waiting.seconds", { s: seconds }) });
  return t("waiting.eta", { time: t("waiting.minutes", { m: Math.floor(seconds / 60), s: seconds % 60 }) });
}

/**
 * The waiting page of a screening whose waiting room is on: the place in line, live (the waitingRoom
 * subscription joins the line and then follows it), with progress and the estimated wait. Hands the
 * pass over when the turn comes, or says the room closed.
 */
export function WaitingRoomPanel({ screeningId, onPass, onClosed }: { screeningId: string; onPass: (pass: string, expiresAt: string) => void; onClosed: () => void }) {
  const { t } = useI18n();
  const [{ data, error }, again] = useSubscription({ query: WAITING_ROOM_STATUS, variables: { screeningId } });
  // Turned away for a moment (load shedding, a restart): come back by itself after a short random
  // pause, so a crowd does not return all at once. Joining again keeps the place in line.
  const busy = toProblem(error)?.code === "SERVICE_UNAVAILABLE";
  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(() => again({ requestPolicy: "network-only" }), 1000 + Math.random() * 2000);
    return () => clearTimeout(timer);
  }, [busy, error, again]);
  const status: WaitingRoomStatus | undefined = data?.waitingRoom;
  // How far the line was when we arrived: the progress bar counts from there.
  const start = useRef<number | null>(null);
  if (status && status.position > 0 && start.current === null) start.current = status.position;
  useEffect(() => {
    if (status?.pass && status.passExpiresAt) onPass(status.pass, status.passExpiresAt);
    else if (status && !status.open) onClosed();
  }, [status, onPass, onClosed]);

  const first = start.current ?? 1;
  const position = status?.position ?? first;
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title" data-testid="waiting-room">
      <h2 id="waiting-title">
        {t("waiting.title")} <LiveBadge />
      </h2>
      <p className="waiting-seed">{t("waiting.seed")}</p>
      <p className="muted">{t("waiting.intro")}</p>
      <ErrorMessage error={error} onRetry={() => again({ requestPolicy: "network-only" })} />
      {!status ? (
        <p aria-busy="true">{t("waiting.joining")}</p>
      ) : (
        <div aria-live="polite">
          <p className="waiting-label">{t("waiting.position")}</p>
          <p className="waiting-position" data-testid="waiting-position">{status.position}</p>
          <p>
            {t("waiting.ahead", { n: Math.max(0, status.position - 1) })} · <span data-testid="waiting-number">{t("waiting.number", { n: status.number ?? "—" })}</span>
          </p>
          <progress max={first} value={Math.max(0, first - position)} aria-label={t("waiting.progress")} />
          <p data-testid="waiting-eta">{eta(status.estimatedWaitSeconds, t)}</p>
        </div>
      )}
    </section>
  );
}
