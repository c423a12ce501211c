import { useCallback, useRef, useState } from "react";
import { useClient, useMutation, useQuery } from "urql";
import { SeatMap } from "../components/SeatMap.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { LiveBadge } from "../components/LiveBadge.tsx";
import { ErrorMessage, toProblem } from "../errors.tsx";
import { useLiveScreening } from "../hooks.ts";
import { useI18n } from "../i18n.tsx";
import { PRICE_QUOTE, RESERVE, TICKET_TYPES, WAITING_ROOM, type TicketType } from "../queries.ts";
import { PriceBreakdown } from "../components/PriceBreakdown.tsx";
import { togglePick, type PickNote } from "../seat-picking.ts";
import { WaitingRoomPanel } from "../components/WaitingRoom.tsx";
import { hallOf } from "../components/ScreeningChip.tsx";
import { Link, navigate } from "../router.tsx";
import { useSession } from "../session.tsx";
import { newIdempotencyKey } from "../ids.ts";
import { CHECK_VOUCHER } from "../queries-vouchers.ts";
import type { SeatClass } from "../queries.ts";

/** The test cards of the simulated card processor (README "Test cards"). */
export const TEST_CARDS = [
  "tok_visa",
  "tok_mastercard",
  "tok_amex",
  "tok_chargeDeclined",
  "tok_chargeDeclinedInsufficientFunds",
  "tok_chargeDeclinedExpiredCard",
] as const;
/** The cinema's default limit, until the screening (with its cinema's own) has loaded. */
const DEFAULT_MAX_SEATS = 8;
/** Refusals that mean "no valid pass": back to the waiting room. */
const PASS_REFUSALS = new Set(["WAITING_ROOM_REQUIRED", "PASS_EXPIRED", "PASS_INVALID"]);
/** Repeats of a booking whose outcome we did not learn (same idempotency key), and the waits before them. */
const REPEAT_DELAYS_MS = [1000, 2000, 4000];

interface Pass {
  pass: string;
  expiresAt: string;
}
/** The pass survives a reload of the page (this tab only), for its customer and screening. */
const passKey = (userId: string, screeningId: string) => `cinema.pass.${userId}.${screeningId}`;
function storedPass(userId: string | undefined, screeningId: string): Pass | null {
  if (!userId) return null;
  try {
    const saved = JSON.parse(sessionStorage.getItem(passKey(userId, screeningId)) ?? "null") as Pass | null;
    return saved && Date.parse(saved.expiresAt) > Date.now() ? saved : null;
  } catch {
    return null;
  }
}

export function ScreeningPage({ id }: { id: string }) {
  const { t, dateTime, money } = useI18n();
  const { session } = useSession();
  const { screening, seats, availableSeatCount, fetching, error, refetch } = useLiveScreening(id);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [note, setNote] = useState<PickNote>();
  const [ticketTypes, setTicketTypes] = useState<Record<string, TicketType>>({});
  const [card, setCard] = useState<string>(TEST_CARDS[0]);
  /** Gift vouchers checked and applied, by seat (the code as the server spells it). */
  const [vouchers, setVouchers] = useState<Record<string, string>>({});
  const [reserveResult, reserve] = useMutation(RESERVE);
  const [failure, setFailure] = useState<unknown>();
  const [room, refetchRoom] = useQuery({ query: WAITING_ROOM, variables: { id }, requestPolicy: "cache-and-network" });
  const userId = session?.userId;
  const [pass, setPassState] = useState<Pass | null>(() => storedPass(userId, id));
  const setPass = useCallback(
    (next: Pass | null) => {
      if (userId) {
        if (next) sessionStorage.setItem(passKey(userId, id), JSON.stringify(next));
        else sessionStorage.removeItem(passKey(userId, id));
      }
      setPassState(next);
    },
    [userId, id],
  );
  const onPass = useCallback((p: string, expiresAt: string) => setPass({ pass: p, expiresAt }), [setPass]);
  const onClosed = useCallback(() => refetchRoom({ requestPolicy: "network-only" }), [refetchRoom]);
  /**
   * The booking attempt in progress: its idempotency key and what it books. Retrying the same
   * seats with the same card after no answer (network trouble) sends the same key, so the server
   * answers with the first request's outcome instead of booking or charging twice. A definite
   * answer, or a change of seats or card, starts a new attempt with a fresh key.
   */
  const attempt = useRef<{ key: string; what: string } | null>(null);

  const byLabel = new Map(seats.map((s) => [s.label, s]));
  const order = new Map(seats.map((s, i) => [s.label, i]));
  // Chosen seats that are still free: someone else may take one while we look at the map.
  const chosen = [...selected].filter((label) => byLabel.get(label)?.status === "AVAILABLE").sort((a, b) => order.get(a)! - order.get(b)!);
  const tickets = chosen.map((seat) => ({ seat, seatClass: byLabel.get(seat)!.seatClass, ticketType: ticketTypes[seat] ?? ("ADULT" as const) }));
  // The price as reserve would charge it now, per seat and ticket type (payment's rules).
  const [quote, requote] = useQuery({ query: PRICE_QUOTE, variables: { id, tickets }, pause: !tickets.length, requestPolicy: "cache-and-network" });
  const breakdown = tickets.length ? quote.data?.screening?.priceQuote : undefined;
  const voucherOf = (seat: string) => vouchers[seat];

  if (!screening) {
    return (
      <>
        <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
        {fetching ? <p aria-busy="true">{t("common.loading")}</p> : !error && <p role="alert">{t("error.NOT_FOUND")}</p>}
      </>
    );
  }

  const maxSeats = screening.cinema?.maxSeatsPerBooking ?? DEFAULT_MAX_SEATS;
  const taken = reserveResult.fetching ? [] : [...selected].filter((label) => byLabel.get(label) && byLabel.get(label)!.status !== "AVAILABLE");
  // The quote of exactly these tickets (not one still loading for an earlier choice).
  const quoted = breakdown && breakdown.lines.length === tickets.length && breakdown.lines.every((l, i) => l.seat === tickets[i]!.seat && l.ticketType === tickets[i]!.ticketType) ? breakdown : undefined;
  // A voucher pays its seat's whole price; the card pays the rest (the server charges the same way).
  const voucherLines = quoted?.lines.filter((l) => voucherOf(l.seat)) ?? [];
  const cardCents = quoted ? quoted.totalCents - voucherLines.reduce((sum, l) => sum + l.priceCents, 0) : 0;
  const applyVoucher = (seat: string, code: string | null) => {
    setFailure(undefined);
    setVouchers(({ [seat]: _old, ...rest }) => (code ? { ...rest, [seat]: code } : rest));
  };

  const toggle = (label: string) => {
    setFailure(undefined);
    const outcome = togglePick(byLabel, selected, label, maxSeats);
    setSelected(outcome.selected);
    // A seat given up takes its voucher with it (the code can then go on another seat).
    setVouchers((v) => Object.fromEntries(Object.entries(v).filter(([seat]) => outcome.selected.has(seat))));
    setNote(outcome.note);
  };

  const pay = async () => {
    if (!quoted) return;
    const what = JSON.stringify([id, tickets, quoted.totalCents, card, tickets.map((x) => voucherOf(x.seat) ?? null)]);
    if (attempt.current?.what !== what) attempt.current = { key: newIdempotencyKey(), what };
    const key = attempt.current.key;
    setFailure(undefined);
    const input = {
      screeningId: id,
      tickets: tickets.map(({ seat, ticketType }) => ({ seat, ticketType, voucherCode: voucherOf(seat) ?? null })),
      // The price before vouchers, as quoted; no card when vouchers pay every seat.
      expectedTotalCents: quoted.totalCents,
      paymentToken: cardCents === 0 ? null : card,
      idempotencyKey: key,
      pass: pass?.pass ?? null,
    };
    let result = await reserve({ input });
    // No answer, or "it may have happened" (a deadline passed mid-booking): ask again with the SAME
    // key, a few times with growing pauses; the server answers the first request's outcome and
    // never books or charges twice.
    for (const delay of REPEAT_DELAYS_MS) {
      const problem = toProblem(result.error);
      if (!problem || !(problem.code === "NETWORK" || (problem.code === "SERVICE_UNAVAILABLE" && problem.outcomeUnknown))) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      result = await reserve({ input }, { requestPolicy: "network-only" });
    }
    const problem = toProblem(result.error);
    // Still unknown: keep the key, so the customer's own retry asks about the same booking.
    if (!problem || !(problem.code === "NETWORK" || problem.outcomeUnknown)) attempt.current = null;
    if (result.data?.reserve) {
      if (pass) setPass(null); // the turn is used: a later booking queues again if the room is still on
      navigate(`/reservations/${result.data.reserve.id}`);
      return;
    }
    setFailure(result.error);
    // The map may be behind what the server just told us (a seat taken, seats released).
    if (problem?.code === "SEAT_UNAVAILABLE") refetch({ requestPolicy: "network-only" });
    // Prices changed since the quote: show the new one (the customer pays again, knowingly).
    if (problem?.code === "PRICE_CHANGED") requote({ requestPolicy: "network-only" });
    // A voucher that cannot pay is taken off its seat: the summary shows the card's share again.
    if (problem?.code === "VOUCHER_INVALID" && problem.seat) applyVoucher(problem.seat, null);
    // No valid pass (the room was switched on meanwhile, or the turn ended): back to the line.
    if (problem && PASS_REFUSALS.has(problem.code)) {
      setPass(null);
      refetchRoom({ requestPolicy: "network-only" });
    }
  };

  const roomOn = room.data?.waitingRoom?.enabled === true;
  const passValid = pass && Date.parse(pass.expiresAt) > Date.now();
  if (roomOn && screening.onSale && !passValid) {
    return (
      <>
        <Link to="/" className="back">← {t("nav.movies")}</Link>
        <PageTitle>{t("screening.title", { movie: screening.movie.title })}</PageTitle>
        <p className="lead">{t("screening.when", { time: dateTime(screening.startsAt, screening.cinema?.timeZone), hall: hallOf(screening) })}</p>
        <ErrorMessage error={failure} />
        {session ? (
          <WaitingRoomPanel screeningId={id} onPass={onPass} onClosed={onClosed} />
        ) : (
          <section className="card waiting-room" data-testid="waiting-room">
            <h2>{t("waiting.title")}</h2>
            <p className="waiting-seed">{t("waiting.seed")}</p>
            <Link className="button button-primary wide" to={`/signin?returnTo=${encodeURIComponent(`/screenings/${id}`)}`}>
              {t("waiting.signIn")}
            </Link>
          </section>
        )}
      </>
    );
  }

  return (
    <>
      <Link to="/" className="back">← {t("nav.movies")}</Link>
      <PageTitle>{t("screening.title", { movie: screening.movie.title })}</PageTitle>
      <p className="lead">
        {t("screening.when", { time: dateTime(screening.startsAt, screening.cinema?.timeZone), hall: hallOf(screening) })} ·{" "}
        <span data-testid="available-count">{t("screening.available", { n: availableSeatCount ?? 0, capacity: screening.auditorium.capacity })}</span>{" "}
        <LiveBadge />
      </p>
      <div className="booking">
        <section className="card seat-panel" aria-labelledby="seatmap-title">
          <h2 id="seatmap-title" className="visually-hidden">{t("common.seats")}</h2>
          <SeatMap seats={seats} selected={selected} onToggle={screening.onSale ? toggle : undefined} />
          <div aria-live="polite">{note && <p className="notice seat-note" data-testid="seat-note">{t(note.key, note.vars)}</p>}</div>
        </section>
        <section className="card checkout" aria-labelledby="checkout-title">
          <h2 id="checkout-title">{t("checkout.title")}</h2>
          {!screening.onSale && (
            <p className="notice" data-testid="not-on-sale">
              {screening.status === "CANCELLED" ? t("screening.cancelled", { reason: screening.cancelReason ?? "" }) : t("screening.notOnSale")}
            </p>
          )}
          {roomOn && passValid && <p className="notice notice-ok" data-testid="your-turn">{t("waiting.yourTurn", { time: dateTime(pass.expiresAt) })}</p>}
          <div aria-live="polite">
            {taken.length > 0 && <p className="notice notice-warn">{t("seat.takenNotice", { seats: taken.join(", ") })}</p>}
          </div>
          <dl className="summary-list">
            <dt>{t("common.cinema")}</dt>
            <dd>{screening.cinema?.name}</dd>
            <dt>{t("common.seats")}</dt>
            <dd data-testid="chosen-seats">{chosen.length ? chosen.join(", ") : t("checkout.noSeats")}</dd>
          </dl>
          {tickets.length > 0 && (
            <fieldset className="ticket-types">
              <legend>{t("checkout.ticketTypes")}</legend>
              {tickets.map(({ seat, seatClass, ticketType }) => (
                <div className="ticket-type" key={seat}>
                  <label htmlFor={`ticket-${seat}`}>{t("checkout.ticketFor", { seat })}</label>
                  <select id={`ticket-${seat}`} value={ticketType} onChange={(e) => setTicketTypes((c) => ({ ...c, [seat]: e.target.value as TicketType }))}>
                    {TICKET_TYPES.map((type) => (
                      <option key={type} value={type}>{t(`ticket.${type}`)}</option>
                    ))}
                  </select>
                  {session && (
                    <VoucherEntry seat={seat} seatClass={seatClass} cinemaId={screening.cinema?.id} applied={voucherOf(seat)} onApply={(code) => applyVoucher(seat, code)} />
                  )}
                </div>
              ))}
            </fieldset>
          )}
          <div aria-live="polite" aria-busy={quote.fetching}>
            {quoted && <PriceBreakdown lines={quoted.lines} currency={quoted.currency} />}
            {quoted && voucherLines.length > 0 && (
              <div className="breakdown voucher-summary" data-testid="voucher-summary">
                <ul className="breakdown-lines">
                  {voucherLines.map((l) => (
                    <li key={l.seat} data-voucher-line={l.seat}>
                      {t("voucher.paidLine", { seat: l.seat, code: voucherOf(l.seat)!, amount: money(l.priceCents, quoted.currency) })}
                    </li>
                  ))}
                </ul>
                <p className="breakdown-total">
                  <span>{t("voucher.cardTotal")}</span> <strong data-testid="card-total">{money(cardCents, quoted.currency)}</strong>
                </p>
              </div>
            )}
            {tickets.length > 0 && !quoted && !quote.error && <p className="muted">{t("checkout.quoting")}</p>}
            <ErrorMessage error={tickets.length ? quote.error : undefined} />
          </div>
          <p className="muted">{t("checkout.max", { n: maxSeats })}</p>
          {session ? (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                void pay();
              }}
            >
              {quoted && cardCents === 0 ? (
                <p className="notice notice-ok" data-testid="no-card">{t("voucher.noCard")}</p>
              ) : (
                <>
                  <label htmlFor="card">{t("checkout.card")}</label>
                  <select id="card" value={card} onChange={(e) => setCard(e.target.value)}>
                    {TEST_CARDS.map((token) => (
                      <option key={token} value={token}>
                        {t(`card.${token}`)}
                      </option>
                    ))}
                  </select>
                  <p className="hint">{t("checkout.cardHint")}</p>
                </>
              )}
              <ErrorMessage error={failure} />
              <button type="submit" className="button button-primary wide" disabled={!quoted || !screening.onSale || reserveResult.fetching}>
                {reserveResult.fetching
                  ? t("checkout.paying")
                  : quoted && cardCents === 0
                    ? t("voucher.payVouchers")
                    : t("checkout.pay", { amount: money(quoted ? cardCents : 0, quoted?.currency ?? screening.currency) })}
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

/**
 * A gift voucher for one seat: the customer types a code and it is checked (for this seat's class
 * and cinema) before it is applied; a refusal says why, in words, and nothing is applied.
 */
function VoucherEntry({ seat, seatClass, cinemaId, applied, onApply }: { seat: string; seatClass: SeatClass; cinemaId?: string; applied?: string; onApply: (code: string | null) => void }) {
  const { t } = useI18n();
  const client = useClient();
  const [typed, setTyped] = useState("");
  const [checking, setChecking] = useState(false);
  const [refusal, setRefusal] = useState<unknown>();
  const check = async () => {
    if (!typed.trim()) return;
    setChecking(true);
    setRefusal(undefined);
    const result = await client.query(CHECK_VOUCHER, { code: typed, seatClass, cinemaId: cinemaId ?? null }, { requestPolicy: "network-only" }).toPromise();
    setChecking(false);
    if (result.data?.voucher) {
      onApply(result.data.voucher.code);
      setTyped("");
    } else setRefusal(result.error);
  };
  if (applied) {
    return (
      <p className="voucher-applied notice notice-ok" data-testid={`voucher-applied-${seat}`}>
        {t("voucher.applied", { seat, code: applied })}{" "}
        <button type="button" className="button button-secondary" onClick={() => onApply(null)}>{t("voucher.remove")}</button>
      </p>
    );
  }
  return (
    <div className="voucher-entry">
      <label htmlFor={`voucher-${seat}`}>{t("voucher.label", { seat })}</label>
      <input
        id={`voucher-${seat}`}
        value={typed}
        placeholder={t("voucher.placeholder")}
        autoComplete="off"
        spellCheck={false}
        maxLength={40}
        onChange={(e) => setTyped(e.target.value)}
        onKeyDown={(e) => {
          // Enter checks this code instead of submitting the booking.
          if (e.key === "Enter") {
            e.preventDefault();
            void check();
          }
        }}
      />
      <button type="button" className="button button-secondary" disabled={checking || !typed.trim()} onClick={() => void check()}>
        {checking ? t("voucher.checking") : t("voucher.apply")}
      </button>
      <div aria-live="polite">
        <ErrorMessage error={refusal} />
      </div>
      {checking && <span className="visually-hidden">{t("common.loading")}</span>}
    </div>
  );
}
