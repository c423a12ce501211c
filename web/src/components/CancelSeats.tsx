import { useState } from "react";
import { useMutation } from "urql";
import { ErrorMessage } from "../errors.tsx";
import { ConfirmStep } from "./ConfirmStep.tsx";
import { useI18n } from "../i18n.tsx";
import { CANCEL_SEATS, type MyReservation } from "../queries.ts";

/**
 * Cancel some seats of a booking and keep the rest: pick the seats, see what comes back (those
 * seats' own prices; a seat a voucher paid gives the voucher back), confirm. The server reissues
 * the ticket for the seats kept; my page's live update shows it.
 */
export function CancelSeats({ booking }: { booking: Pick<MyReservation, "id" | "seats" | "lines" | "currency"> }) {
  const { t, money } = useI18n();
  const [picked, setPicked] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [result, cancelSeats] = useMutation(CANCEL_SEATS);
  const [done, setDone] = useState<string[] | null>(null);
  // Said outside the picker: the live update that leaves one seat hides the picker, not this.
  const notice = done && !result.error && <p className="notice notice-ok" role="status">{t("cancelSeats.done", { seats: done.join(", ") })}</p>;
  if (booking.seats.length < 2) return notice || null;

  const chosen = picked.filter((s) => booking.seats.includes(s));
  const leaving = booking.lines.filter((l) => chosen.includes(l.seat));
  const refund = leaving.filter((l) => !l.voucherCode).reduce((sum, l) => sum + l.priceCents, 0);
  const vouchers = leaving.flatMap((l) => (l.voucherCode ? [l.voucherCode] : []));
  const toggle = (seat: string) => setPicked((now) => (now.includes(seat) ? now.filter((s) => s !== seat) : [...now, seat]));
  const submit = async () => {
    const res = await cancelSeats({ id: booking.id, seats: chosen });
    setConfirming(false);
    if (!res.error) {
      setDone(chosen);
      setPicked([]);
    }
  };

  return (
    <>
      <fieldset className="cancel-seats" data-testid="cancel-seats">
        <legend>{t("cancelSeats.title")}</legend>
        <p className="muted">{t("cancelSeats.help")}</p>
        <div className="seat-choices">
          {booking.seats.map((seat) => (
            <label key={seat}>
              <input type="checkbox" checked={chosen.includes(seat)} onChange={() => toggle(seat)} disabled={result.fetching} /> {seat}
            </label>
          ))}
        </div>
        {confirming && chosen.length > 0 ? (
          <ConfirmStep id="cancel-seats-text" yes={t("cancelSeats.yes")} busy={result.fetching} onYes={() => void submit()} onNo={() => setConfirming(false)}>
            {chosen.length === booking.seats.length
              ? t("cancelSeats.confirmAll", { amount: money(refund, booking.currency) })
              : t("cancelSeats.confirm", { seats: chosen.join(", "), amount: money(refund, booking.currency), kept: booking.seats.filter((s) => !chosen.includes(s)).join(", ") })}
            {vouchers.length > 0 && <> {t("cancelSeats.vouchers", { codes: vouchers.join(", ") })}</>}
          </ConfirmStep>
        ) : (
          <button type="button" className="button button-secondary" disabled={!chosen.length} onClick={() => setConfirming(true)}>
            {t("cancelSeats.button", { n: chosen.length })}
          </button>
        )}
        <ErrorMessage error={result.error} />
      </fieldset>
      {notice}
    </>
  );
}
