// The cinema's price rules (payment's setPriceRules): a surcharge per seat class, a discount per
// ticket type, and time rules (days of the week and a local time window) added or removed as rows.
// Bookings already made keep the breakdown they were charged with.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Outcome } from "../../components/Form.tsx";
import { ErrorMessage } from "../../errors.tsx";
import { useI18n } from "../../i18n.tsx";
import { SEAT_CLASSES, TICKET_TYPES } from "../../queries.ts";
import { PRICE_RULES, SET_PRICE_RULES, WEEKDAYS, type PriceRules, type PriceRulesInput, type TimeRule } from "../../queries-cinema.ts";

export function PriceRulesForm({ cinemaId }: { cinemaId: string }) {
  const { t } = useI18n();
  const [{ data, error }, refetch] = useQuery({ query: PRICE_RULES, variables: { id: cinemaId }, requestPolicy: "network-only" });
  const rules = data?.cinema?.priceRules;
  // Kept here: saving refetches the rules, and the editor (keyed by them) starts afresh.
  const [ok, setOk] = useState<string>();
  return (
    <section className="card admin-wide price-rules" aria-labelledby="prices-title" data-testid="price-rules">
      <h2 id="prices-title">{t("admin.prices")}</h2>
      <ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      {/* Keyed by the saved rules: the editor starts from what the server holds. */}
      {rules && <Editor key={`${cinemaId}-${rules.updatedAt ?? "default"}`} rules={rules} ok={ok} setOk={setOk} />}
    </section>
  );
}

function Editor({ rules, ok, setOk }: { rules: PriceRules; ok: string | undefined; setOk: (ok: string | undefined) => void }) {
  const { t, dateTime } = useI18n();
  const [draft, setDraft] = useState<PriceRulesInput>(() => withoutTimestamp(rules));
  const [result, save] = useMutation(SET_PRICE_RULES);
  const surcharge = (c: string) => draft.seatClasses.find((s) => s.seatClass === c)?.surchargeCents ?? 0;
  const discount = (tt: string) => draft.ticketTypes.find((s) => s.ticketType === tt)?.discountCents ?? 0;
  const setRule = (i: number, change: Partial<TimeRule>) =>
    setDraft((d) => ({ ...d, timeRules: d.timeRules.map((r, j) => (j === i ? { ...r, ...change } : r)) }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setOk(undefined);
    const res = await save({ input: draft });
    if (res.data) setOk(t("admin.pricesSaved"));
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <p className="muted">{rules.updatedAt ? t("admin.pricesUpdated", { time: dateTime(rules.updatedAt) }) : t("admin.pricesDefault")}</p>
      <fieldset>
        <legend>{t("admin.classSurcharges")}</legend>
        <div className="price-grid">
          {SEAT_CLASSES.map((c) => (
            <div className="field" key={c}>
              <label htmlFor={`surcharge-${c}`} className="capitalize">{t(`class.${c}`)}</label>
              <input
                id={`surcharge-${c}`}
                type="number"
                step={100}
                value={surcharge(c)}
                onChange={(e) => setDraft((d) => ({ ...d, seatClasses: upsert(d.seatClasses, "seatClass", c, { seatClass: c, surchargeCents: Number(e.target.value) }) }))}
              />
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("admin.ticketDiscounts")}</legend>
        <div className="price-grid">
          {TICKET_TYPES.map((tt) => (
            <div className="field" key={tt}>
              <label htmlFor={`discount-${tt}`}>{t(`ticket.${tt}`)}</label>
              <input
                id={`discount-${tt}`}
                type="number"
                step={100}
                value={discount(tt)}
                onChange={(e) => setDraft((d) => ({ ...d, ticketTypes: upsert(d.ticketTypes, "ticketType", tt, { ticketType: tt, discountCents: Number(e.target.value) }) }))}
              />
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("admin.timeRules")}</legend>
        {draft.timeRules.map((rule, i) => (
          <div className="time-rule" key={i} data-time-rule={i}>
            <div className="field">
              <label htmlFor={`rule-${i}-label`}>{t("admin.ruleLabel")}</label>
              <input id={`rule-${i}-label`} required maxLength={60} value={rule.label} onChange={(e) => setRule(i, { label: e.target.value })} />
            </div>
            <fieldset className="weekdays">
              <legend>{t("admin.ruleDays")}</legend>
              {WEEKDAYS.map((day) => (
                <label key={day}>
                  <input
                    type="checkbox"
                    checked={rule.days.includes(day)}
                    onChange={(e) => setRule(i, { days: e.target.checked ? WEEKDAYS.filter((d) => d === day || rule.days.includes(d)) : rule.days.filter((d) => d !== day) })}
                  />
                  {t(`weekday.${day}`)}
                </label>
              ))}
            </fieldset>
            <div className="field">
              <label htmlFor={`rule-${i}-from`}>{t("admin.ruleFrom")}</label>
              <input id={`rule-${i}-from`} required pattern="([01][0-9]|2[0-3]):[0-5][0-9]" placeholder="HH:MM" value={rule.from} onChange={(e) => setRule(i, { from: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`rule-${i}-until`}>{t("admin.ruleUntil")}</label>
              <input id={`rule-${i}-until`} required pattern="([01][0-9]|2[0-4]):[0-5][0-9]" placeholder="HH:MM" value={rule.until} onChange={(e) => setRule(i, { until: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`rule-${i}-amount`}>{t("admin.ruleAmount")}</label>
              <input id={`rule-${i}-amount`} type="number" step={100} required value={rule.amountCents} onChange={(e) => setRule(i, { amountCents: Number(e.target.value) })} />
            </div>
            <button type="button" className="button button-ghost" aria-label={`${t("admin.removeRule")}: ${rule.label || i + 1}`} onClick={() => setDraft((d) => ({ ...d, timeRules: d.timeRules.filter((_, j) => j !== i) }))}>
              {t("admin.removeRule")}
            </button>
          </div>
        ))}
        <button type="button" className="button button-secondary" onClick={() => setDraft((d) => ({ ...d, timeRules: [...d.timeRules, { label: "", days: [...WEEKDAYS], from: "00:00", until: "24:00", amountCents: 0 }] }))}>
          {t("admin.addRule")}
        </button>
      </fieldset>
      <Outcome ok={ok} error={result.error} />
      <button type="submit" className="button button-primary" disabled={result.fetching}>{t("admin.savePrices")}</button>
    </form>
  );
}

/** The rules as the mutation takes them (no timestamp, no __typename from the cache). */
function withoutTimestamp(rules: PriceRules): PriceRulesInput {
  return {
    cinemaId: rules.cinemaId,
    currency: rules.currency,
    seatClasses: rules.seatClasses.map(({ seatClass, surchargeCents }) => ({ seatClass, surchargeCents })),
    ticketTypes: rules.ticketTypes.map(({ ticketType, discountCents }) => ({ ticketType, discountCents })),
    timeRules: rules.timeRules.map(({ label, days, from, until, amountCents }) => ({ label, days, from, until, amountCents })),
  };
}

function upsert<T, K extends keyof T>(list: T[], key: K, value: T[K], item: T): T[] {
  return list.some((x) => x[key] === value) ? list.map((x) => (x[key] === value ? item : x)) : [...list, item];
}
