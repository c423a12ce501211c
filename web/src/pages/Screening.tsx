import { useRef, useState } from "react";
import { useMutation } from "urql";
import { SeatMap } from "../components/SeatMap.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { LiveBadge } from "../components/LiveBadge.tsx";
import { ErrorMessage, toProblem } from "../errors.tsx";
import { useLiveScreening } from "../hooks.ts";
import { useI18n } from "../i18n.tsx";
import { RESERVE } from "../queries.ts";
import { Link, navigate } from "../router.tsx";
import { useSession } from "../session.tsx";
import { newIdempotencyKey } from "../ids.ts";

/** The test cards of the simulated card processor (README "Test cards"). */
export const TEST_CARDS = [
  "tok_visa",
  "tok_mastercard",
  "tok_amex",
  "tok_chargeDeclined",
  "tok_chargeDeclinedInsufficientFunds",
  "tok_chargeDeclinedExpiredCard",
] as const;
/** The API's MAX_SEATS_PER_BOOKING default; the server enforces the real limit. */
const MAX_SEATS = 8;

export function ScreeningPage({ id }: { id: string }) {
  const { t, dateTime, money } = useI18n();
  const { session } = useSession();
  const { screening, seats, availableSeatCount, fetching, error, refetch } = useLiveScreening(id);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [card, setCard] = useState<string>(TEST_CARDS[0]);
  const [reserveResult, reserve] = useMutation(RESERVE);
  const [failure, setFailure] = useState<unknown>();
  /**
   * The booking attempt in progress: its idempotency key and what it books. Retrying the same
   * seats with the same card after no answer (network trouble) sends the same key, so the server
   * answers with the first request's outcome instead of booking or charging twice. A definite
   * answer, or a change of seats or card, starts a new attempt with a fresh key.
   */
  const attempt = useRef<{ key: string; what: string } | null>(null);

  if (!screening) {
    return (
      <>
        <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
        {fetching ? <p aria-busy="true">{t("common.loading")}</p> : !error && <p role="alert">{t("error.NOT_FOUND")}</p>}
      </>
    );
  }

  const order = new Map(seats.map((s, i) => [s.label, i]));
  const status = new Map(seats.map((s) => [s.label, s.status]));
  // Chosen seats that are still free: someone else may take one while we look at the map.
  const chosen = [...selected].filter((label) => status.get(label) === "AVAILABLE").sort((a, b) => order.get(a)! - order.get(b)!);
  const taken = reserveResult.fetching ? [] : [...selected].filter((label) => status.get(label) && status.get(label) !== "AVAILABLE");
  const total = chosen.length * screening.priceCents;

  const toggle = (label: string) => {
    setFailure(undefined);
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(label)) next.add(label);
      return next;
    });
  };

  const pay = async () => {
    const what = JSON.stringify([id, chosen, card]);
    if (attempt.current?.what !== what) attempt.current = { key: newIdempotencyKey(), what };
    setFailure(undefined);
    const result = await reserve({ input: { screeningId: id, seats: chosen, paymentToken: card, idempotencyKey: attempt.current.key } });
    const problem = toProblem(result.error);
    if (!problem || problem.code !== "NETWORK") attempt.current = null;
    if (result.data?.reserve) {
      navigate(`/reservations/${result.data.reserve.id}`);
      return;
    }
    setFailure(result.error);
    // The map may be behind what the server just told us (a seat taken, seats released).
    if (problem?.code === "SEAT_UNAVAILABLE") refetch({ requestPolicy: "network-only" });
  };

  return (
    <>
      <Link to="/" className="back">← {t("nav.movies")}</Link>
      <PageTitle>{t("screening.title", { movie: screening.movie.title })}</PageTitle>
      <p className="lead">
        {t("screening.when", { time: dateTime(screening.startsAt), hall: screening.auditorium.name })} ·{" "}
        <span data-testid="available-count">{t("screening.available", { n: availableSeatCount ?? 0, capacity: screening.auditorium.capacity })}</span>{" "}
        <LiveBadge />
      </p>
      <div className="booking">
        <section className="card seat-panel" aria-labelledby="seatmap-title">
          <h2 id="seatmap-title" className="visually-hidden">{t("common.seats")}</h2>
          <SeatMap seats={seats} selected={selected} onToggle={screening.onSale ? toggle : undefined} canAdd={chosen.length < MAX_SEATS} />
        </section>
        <section className="card checkout" aria-labelledby="checkout-title">
          <h2 id="checkout-title">{t("checkout.title")}</h2>
          {!screening.onSale && <p className="notice">{t("screening.notOnSale")}</p>}
          <div aria-live="polite">
            {taken.length > 0 && <p className="notice notice-warn">{t("seat.takenNotice", { seats: taken.join(", ") })}</p>}
          </div>
          <dl className="summary-list">
            <dt>{t("common.seats")}</dt>
            <dd data-testid="chosen-seats">{chosen.length ? chosen.join(", ") : t("checkout.noSeats")}</dd>
            <dt>{t("common.total")}</dt>
            <dd>
              {chosen.length} × {money(screening.priceCents, screening.currency)} = <strong>{money(total, screening.currency)}</strong>
            </dd>
          </dl>
          {chosen.length >= MAX_SEATS && <p className="muted">{t("checkout.max", { n: MAX_SEATS })}</p>}
          {session ? (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                void pay();
              }}
            >
              <label htmlFor="card">{t("checkout.card")}</label>
              <select id="card" value={card} onChange={(e) => setCard(e.target.value)}>
                {TEST_CARDS.map((token) => (
                  <option key={token} value={token}>
                    {t(`card.${token}`)}
                  </option>
                ))}
              </select>
              <p className="hint">{t("checkout.cardHint")}</p>
              <ErrorMessage error={failure} />
              <button type="submit" className="button button-primary wide" disabled={!chosen.length || !screening.onSale || reserveResult.fetching}>
                {reserveResult.fetching ? t("checkout.paying") : t("checkout.pay", { amount: money(total, screening.currency) })}
              </button>
            </form>
          ) : (
            <Link className="button button-primary wide" to={`/signin?returnTo=${encodeURIComponent(`/screenings/${id}`)}`}>
              {t("checkout.signIn")}
            </Link>
          )}
        </section>
      </div>
    </>
  );
}
