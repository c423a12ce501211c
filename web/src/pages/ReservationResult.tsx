import { useEffect } from "react";
import { useQuery } from "urql";
import { PageTitle } from "../components/PageTitle.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { PriceBreakdown } from "../components/PriceBreakdown.tsx";
import { ErrorMessage } from "../errors.tsx";
import { useI18n } from "../i18n.tsx";
import { RESERVATION } from "../queries.ts";
import { Link } from "../router.tsx";

/** How often, and how long, to look for the ticket: it is issued off the confirmation event. */
const POLL_MS = 1000;
const POLL_FOR_MS = 60_000;

export function ReservationResultPage({ id }: { id: string }) {
  const { t, dateTime, money } = useI18n();
  const [{ data, error, fetching }, refetch] = useQuery({ query: RESERVATION, variables: { id }, requestPolicy: "cache-and-network" });
  const reservation = data?.reservation;
  const waitingForTicket = reservation?.status === "CONFIRMED" && !reservation.ticket;

  useEffect(() => {
    if (!waitingForTicket) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > POLL_FOR_MS) clearInterval(timer);
      else refetch({ requestPolicy: "network-only" });
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [waitingForTicket, refetch]);

  if (!reservation) {
    return (
      <>
        <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
        {fetching ? <p aria-busy="true">{t("common.loading")}</p> : !error && <p role="alert">{t("me.notFound")}</p>}
      </>
    );
  }
  const ok = reservation.status === "CONFIRMED" || reservation.status === "CANCELLED";
  const ticket = reservation.ticket;
  const breakdown = reservation.payment?.breakdown;
  return (
    <>
      <PageTitle>{ok ? t("result.title") : t("result.failed")}</PageTitle>
      <div className="result">
        <section className="card">
          <h2>{reservation.screening.movie.title}</h2>
          <dl className="summary-list">
            <dt>{t("common.status")}</dt>
            <dd><StatusBadge status={reservation.status} /></dd>
            <dt>{t("common.cinema")}</dt>
            <dd data-testid="cinema-name">{reservation.screening.cinema?.name}</dd>
            <dt>{t("common.when")}</dt>
            <dd>{t("screening.when", { time: dateTime(reservation.screening.startsAt, reservation.screening.cinema?.timeZone), hall: reservation.screening.auditorium.name })}</dd>
            <dt>{t("common.seats")}</dt>
            <dd>{reservation.seats.join(", ")}</dd>
            <dt>{t("common.total")}</dt>
            <dd>{money(reservation.amountCents, reservation.currency)}</dd>
          </dl>
          {/* What was charged, kept with the booking: later price changes never alter it. */}
          {breakdown ? (
            <PriceBreakdown lines={breakdown.lines} currency={breakdown.currency} />
          ) : (
            reservation.lines?.length > 0 && (
              <PriceBreakdown lines={reservation.lines} currency={reservation.currency ?? "KRW"} />
            )
          )}
          {reservation.failureReason && <p className="notice notice-error">{reservation.failureReason}</p>}
          <p className="actions">
            <Link className="button button-secondary" to={`/me/${reservation.id}`}>{t("result.toMyPage")}</Link>
            <Link className="button button-ghost" to="/">{t("result.toMovies")}</Link>
          </p>
        </section>
        {ok && (
          <section className="card ticket" aria-labelledby="ticket-title" aria-live="polite" aria-busy={!ticket}>
            <h2 id="ticket-title">{t("result.ticket")}</h2>
            {ticket ? (
              <>
                {/* An <img> of the SVG: shown as a picture, never run as markup in the page. */}
                <img
                  className="qr"
                  src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(ticket.qrSvg)}`}
                  alt={t("result.qrAlt", { code: ticket.code })}
                  width={200}
                  height={200}
                />
                <p className="ticket-code-label">{t("result.code")}</p>
                <p className="ticket-code" data-testid="ticket-code">{ticket.code}</p>
                <p className="muted">{ticket.status === "VOID" ? t("result.void") : t("result.showAtDoor")}</p>
              </>
            ) : (
              <p className="issuing"><span className="spinner" aria-hidden="true" /> {t("result.issuing")}</p>
            )}
          </section>
        )}
      </div>
    </>
  );
}
