import { useEffect, useState } from "react";
import { CombinedError, gql, useMutation, useQuery, useSubscription } from "urql";
import { LiveBadge } from "../components/LiveBadge.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { PriceBreakdown } from "../components/PriceBreakdown.tsx";
import { CancelSeats } from "../components/CancelSeats.tsx";
import { ConfirmStep } from "../components/ConfirmStep.tsx";
import { ErrorMessage } from "../errors.tsx";
import { useI18n, type MessageKey } from "../i18n.tsx";
import { CANCEL, MY_RESERVATION, MY_RESERVATIONS, RESERVATION_STATUS_CHANGED } from "../queries.ts";
import { Link } from "../router.tsx";
import { useSession } from "../session.tsx";
import { useMyUpdates } from "../updates.tsx";

const PAGE = 20;

/** The cancellation policy of a booking (reservation subgraph): until when its customer may cancel, and why it was cancelled. */
const CANCELLATION = gql<
  { reservation: { id: string; cancellableUntil: string | null; cancelCutoffMinutes: number | null; cancelReason: string | null } | null },
  { id: string }
>`
  query Cancellation($id: ID!) { reservation(id: $id) { id cancellableUntil cancelCutoffMinutes cancelReason } }
`;

/** A CANCELLATION_CLOSED refusal's cutoff and deadline (extensions), if that is what the error is. */
function closedRefusal(error: CombinedError | undefined): { deadline: string; cancelCutoffMinutes: number; screeningStartsAt: string } | null {
  const ext = error?.graphQLErrors[0]?.extensions;
  if (ext?.code !== "CANCELLATION_CLOSED") return null;
  return { deadline: String(ext.deadline), cancelCutoffMinutes: Number(ext.cancelCutoffMinutes), screeningStartsAt: String(ext.screeningStartsAt) };
}

/** The clock, every few seconds: the cancel button gives way to the cutoff message when the time comes. */
function useNow(everyMs = 5_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** The newer of two copies of a booking (a query result and a live message may cross). */
function newest<T extends { updatedAt: string }>(a: T | null | undefined, b: T | null | undefined): T | undefined {
  if (!a || !b) return a ?? b ?? undefined;
  return Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a;
}

function SignInFirst({ returnTo }: { returnTo: string }) {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t("me.title")}</PageTitle>
      <Link className="button button-primary" to={`/signin?returnTo=${encodeURIComponent(returnTo)}`}>{t("nav.signIn")}</Link>
    </>
  );
}

export function MyPage() {
  const { session } = useSession();
  return session ? <MyReservations /> : <SignInFirst returnTo="/me" />;
}

/** My bookings, kept current by myReservationsChanged; the newest changes are listed beside them. */
function MyReservations() {
  const { t, dateTime, money } = useI18n();
  const historyLabel = useHistoryLabel();
  const [first, setFirst] = useState(PAGE);
  const [{ data, error, fetching }, refetch] = useQuery({ query: MY_RESERVATIONS, variables: { first }, requestPolicy: "cache-and-network" });
  const updates = useMyUpdates();

  const nodes = data?.myReservations.nodes ?? [];
  const known = new Set(nodes.map((r) => r.id));
  // A booking made in another tab shows up at the top at once; the rest are updated in place.
  const fresh = updates.filter((r, i) => !known.has(r.id) && updates.findIndex((u) => u.id === r.id) === i);
  const list = [...fresh, ...nodes.map((r) => newest(r, updates.find((u) => u.id === r.id)) ?? r)];

  return (
    <>
      <PageTitle>{t("me.title")}</PageTitle>
      <div className="my-page">
        <section aria-label={t("me.title")}>
          <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
          {fetching && !data && <p aria-busy="true">{t("common.loading")}</p>}
          {data && list.length === 0 && <p className="card">{t("me.none")}</p>}
          <ul className="booking-list">
            {list.map((r) => (
              <li key={r.id} className="card booking-item" data-reservation={r.id}>
                <Link to={`/me/${r.id}`} className="booking-link">
                  <span className="booking-title">{r.movieTitle ?? "—"}</span>
                  <span className="meta">
                    {dateTime(r.screeningStartsAt)} · {r.cinemaName ? `${r.cinemaName} ` : ""}{r.auditoriumName} · {r.seats.join(", ")} · {money(r.amountCents, r.currency)}
                  </span>
                </Link>
                <StatusBadge status={r.status} />
              </li>
            ))}
          </ul>
          {data?.myReservations.hasNextPage && (
            <button type="button" className="button button-secondary" onClick={() => setFirst((n) => n + PAGE)}>
              {t("me.more")}
            </button>
          )}
        </section>
        <aside className="card updates" aria-labelledby="updates-title">
          <h2 id="updates-title">
            {t("me.updates")} <LiveBadge />
          </h2>
          {/* A live region: each change is read out as it arrives. */}
          <ol className="update-list" aria-live="polite">
            {updates.slice(0, 6).map((r) => (
              <li key={`${r.id}-${r.updatedAt}`}>
                <time dateTime={r.updatedAt}>{dateTime(r.updatedAt)}</time>
                <Link to={`/me/${r.id}`}>{r.movieTitle ?? "—"}</Link>
                {/* What changed: the booking's latest step, e.g. "Payment refunded". */}
                <span>{historyLabel(r.history[r.history.length - 1]?.kind ?? r.status)}</span>
              </li>
            ))}
          </ol>
          {updates.length === 0 && <p className="muted">{t("me.noUpdates")}</p>}
        </aside>
      </div>
    </>
  );
}

/** A history step (or a status) in the visitor's language. */
function useHistoryLabel() {
  const { t } = useI18n();
  return (kind: string) => (HISTORY_KINDS.has(kind) ? t(`history.${kind}` as MessageKey) : kind);
}

export function MyReservationPage({ id }: { id: string }) {
  const { session } = useSession();
  return session ? <MyReservationDetail id={id} /> : <SignInFirst returnTo={`/me/${id}`} />;
}

/** One booking with its history, its live status, and cancellation behind a confirmation step. */
function MyReservationDetail({ id }: { id: string }) {
  const { t, lang, dateTime, money } = useI18n();
  const historyLabel = useHistoryLabel();
  const [{ data, error }, refetch] = useQuery({ query: MY_RESERVATION, variables: { id }, requestPolicy: "cache-and-network" });
  const stored = data?.myReservation;
  // Right after booking, my page may not have the booking yet (it is fed by events): look again.
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    if (!data || stored) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > 10_000) {
        clearInterval(timer);
        setGaveUp(true);
      } else refetch({ requestPolicy: "network-only" });
    }, 700);
    return () => clearInterval(timer);
  }, [data, stored, refetch]);
  const [live] = useSubscription({ query: RESERVATION_STATUS_CHANGED, variables: { id }, pause: !stored });
  const r = newest(stored, live.data?.reservationStatusChanged);

  const [confirming, setConfirming] = useState(false);
  const [cancelResult, cancel] = useMutation(CANCEL);
  const [cancelled, setCancelled] = useState(false);
  const { session } = useSession();
  const now = useNow();
  const [{ data: policyData }, refetchPolicy] = useQuery({ query: CANCELLATION, variables: { id }, requestPolicy: "cache-and-network" });
  const policy = policyData?.reservation;
  const status = r?.status;
  // Once cancelled (by anyone), ask again why: a screening called off by the cinema says so.
  useEffect(() => {
    if (status === "CANCELLED") refetchPolicy({ requestPolicy: "network-only" });
  }, [status, refetchPolicy]);

  if (!r) {
    return (
      <>
        <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
        {!error && (gaveUp ? <p role="alert">{t("me.notFound")}</p> : <p aria-busy="true">{t("common.loading")}</p>)}
      </>
    );
  }

  // Customers may cancel until the cinema's cutoff before the start; staff always may.
  const refusal = closedRefusal(cancelResult.error);
  const deadline = refusal?.deadline ?? policy?.cancellableUntil ?? null;
  const cutoff = refusal?.cancelCutoffMinutes ?? policy?.cancelCutoffMinutes ?? null;
  const startsAt = refusal?.screeningStartsAt ?? r.screeningStartsAt;
  const started = startsAt !== null && Date.parse(startsAt) <= now;
  const closed = session?.role !== "admin" && (!!refusal || (deadline !== null && Date.parse(deadline) <= now));
  // A screening the cinema called off keeps its seats closed: its "seats released" step says so.
  const byScreening = r.status === "CANCELLED" && policy?.cancelReason === "SCREENING_CANCELLED";
  const stepLabel = (kind: string) => (byScreening && kind === "SEATS_RELEASED" ? t("cancel.seatsClosed") : historyLabel(kind));

  const doCancel = async () => {
    const result = await cancel({ id: r.id });
    setConfirming(false);
    if (!result.error) setCancelled(true);
  };

  return (
    <>
      <Link to="/me" className="back">← {t("me.title")}</Link>
      <PageTitle>{r.movieTitle ?? t("me.detail")}</PageTitle>
      <div className="detail">
        <section className="card" aria-labelledby="detail-title">
          <h2 id="detail-title">
            {t("me.detail")} <LiveBadge />
          </h2>
          <dl className="summary-list" aria-live="polite">
            <dt>{t("common.status")}</dt>
            <dd data-testid="reservation-status"><StatusBadge status={r.status} /></dd>
            <dt>{t("me.payment")}</dt>
            <dd data-testid="payment-status"><StatusBadge status={r.paymentStatus} /></dd>
            <dt>{t("me.ticket")}</dt>
            <dd><StatusBadge status={r.ticketStatus} /> {r.ticketCode && <code>{r.ticketCode}</code>}</dd>
            <dt>{t("common.cinema")}</dt>
            <dd data-testid="cinema-name">{r.cinemaName ?? "—"}</dd>
            <dt>{t("common.when")}</dt>
            <dd>{t("screening.when", { time: dateTime(r.screeningStartsAt), hall: r.auditoriumName ?? "—" })}</dd>
            <dt>{t("common.seats")}</dt>
            <dd>{r.seats.join(", ")}{r.seatsReleased && <> · <span className="muted">{byScreening ? t("cancel.seatsClosed") : t("me.seatsReleased")}</span></>}</dd>
            <dt>{t("common.total")}</dt>
            <dd>{money(r.amountCents, r.currency)}</dd>
            {r.refundedAmountCents != null && (
              <>
                <dt>{t("me.refunded")}</dt>
                <dd>{money(r.refundedAmountCents, r.currency)}</dd>
              </>
            )}
            <dt>{t("me.bookedAt")}</dt>
            <dd>{dateTime(r.bookedAt)}</dd>
          </dl>
          {r.lines?.length > 0 && <PriceBreakdown lines={r.lines} currency={r.currency} />}
          {cancelled && !(r.paymentStatus === "REFUNDED" && r.seatsReleased) && (
            <p className="notice notice-ok" role="status">{t("me.cancelled")}</p>
          )}
          {!refusal && <ErrorMessage error={cancelResult.error} />}
          {byScreening && (
            <p className="notice" role="status" data-testid="screening-cancelled">{t("cancel.byScreening")}</p>
          )}
          {r.status === "CONFIRMED" && closed && (
            <p className="notice notice-error" role={refusal ? "alert" : undefined} data-testid="cancel-closed" data-code="CANCELLATION_CLOSED">
              {started ? t("cancel.started") : t("cancel.closed", { time: dateTime(deadline), n: cutoff ?? "" })}
            </p>
          )}
          {r.status === "CONFIRMED" && !closed &&
            (confirming ? (
              <ConfirmStep id="confirm-text" yes={t("me.cancelYes")} busy={cancelResult.fetching} onYes={() => void doCancel()} onNo={() => setConfirming(false)}>
                {t("me.cancelConfirm", { amount: money(r.amountCents, r.currency) })}
              </ConfirmStep>
            ) : (
              <>
                <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
                  {t("me.cancel")}
                </button>
                {deadline && cutoff !== null && session?.role !== "admin" && (
                  <p className="muted" data-testid="cancel-until">{t("cancel.until", { time: dateTime(deadline), n: cutoff })}</p>
                )}
                <CancelSeats booking={r} />
              </>
            ))}
        </section>
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">{t("me.history")}</h2>
          <ol className="timeline" data-testid="history">
            {r.history.map((h) => (
              <li key={`${h.kind}-${h.at}`} data-kind={h.kind}>
                <time dateTime={h.at}>{dateTime(h.at)}</time>
                <strong>{stepLabel(h.kind)}</strong>
                {/* The server describes each step in English; Korean readers get the heading above. */}
                {lang === "en" && <span className="muted">{h.description}</span>}
              </li>
            ))}
          </ol>
        </section>
      </div>
    </>
  );
}

const HISTORY_KINDS = new Set(["CONFIRMED", "TICKET_ISSUED", "CANCELLED", "SEATS_CANCELLED", "REFUNDED", "SEATS_RELEASED"]);
