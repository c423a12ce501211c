import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { Field, Outcome } from "../../components/Form.tsx";
import { useI18n } from "../../i18n.tsx";
import type { AdminCinema } from "../../queries.ts";
import { UPDATE_CINEMA } from "../../queries-cinema.ts";

/**
 * The cinema's own settings: how many seats one booking may take (the saga enforces it), and until
 * how many minutes before the start customers may cancel (reservation enforces it; staff always may).
 */
export function CinemaSettings({ cinema, onDone }: { cinema: AdminCinema; onDone: () => void }) {
  const { t } = useI18n();
  const [result, update] = useMutation(UPDATE_CINEMA);
  const [ok, setOk] = useState<string>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const res = await update({ id: cinema.id, input: { maxSeatsPerBooking: Number(f.get("maxSeats")), cancelCutoffMinutes: Number(f.get("cancelCutoff")) } });
    if (res.data) {
      setOk(t("admin.saved"));
      onDone();
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="settings-form">
      <h2 id="settings-form">{t("admin.settings")}</h2>
      <p className="muted">{cinema.name} · {cinema.address} · {cinema.timeZone}</p>
      <Field id="cinema-max-seats" label={t("admin.maxSeats")}>
        <input id="cinema-max-seats" name="maxSeats" type="number" required min={1} max={20} defaultValue={cinema.maxSeatsPerBooking} />
      </Field>
      <Field id="cinema-cancel-cutoff" label={t("admin.cancelCutoff")}>
        <input id="cinema-cancel-cutoff" name="cancelCutoff" type="number" required min={0} max={1440} defaultValue={cinema.cancelCutoffMinutes} />
      </Field>
      <Outcome ok={ok} error={result.error} />
      <button type="submit" className="button button-primary" disabled={result.fetching}>{t("admin.save")}</button>
    </form>
  );
}
