// A new auditorium, drawn as text (docs/cinema-chain.md "Layouts"): staff type the layout and see
// it drawn as customers will (the server's own parse via previewLayout, debounced), with every
// problem listed at its line and column. An empty layout means a rectangle of rows × seats.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Field, Outcome } from "../../components/Form.tsx";
import { SeatMap } from "../../components/SeatMap.tsx";
import { toProblem } from "../../errors.tsx";
import { useDebounced } from "../../hooks-debounce.ts";
import { useI18n } from "../../i18n.tsx";
import { CREATE_AUDITORIUM, type Seat } from "../../queries.ts";
import { PREVIEW_LAYOUT, type LayoutError, type LayoutSeat } from "../../queries-cinema.ts";

const rectangle = (rows: number, seats: number) =>
  rows > 0 && seats > 0 && rows <= 26 && seats <= 40 ? Array.from({ length: rows }, () => "S".repeat(seats)).join("\n") : "";

export function AuditoriumForm({ cinemaId, onDone }: { cinemaId: string | undefined; onDone: () => void }) {
  const { t } = useI18n();
  const [result, create] = useMutation(CREATE_AUDITORIUM);
  const [ok, setOk] = useState<string>();
  const [name, setName] = useState("");
  const [rows, setRows] = useState(8);
  const [seatsPerRow, setSeatsPerRow] = useState(12);
  const [layout, setLayout] = useState("");
  const drawn = layout.trim() ? layout : rectangle(rows, seatsPerRow);
  const previewed = useDebounced(drawn, 300);
  const [preview] = useQuery({ query: PREVIEW_LAYOUT, variables: { layout: previewed }, pause: !previewed.trim() });
  const shown = previewed.trim() ? preview.data?.previewLayout : undefined;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = layout.trim() ? { cinemaId, name, layout } : { cinemaId, name, rows, seatsPerRow };
    const res = await create({ input });
    if (res.data) {
      setOk(t("admin.created", { name: res.data.createAuditorium.name, capacity: res.data.createAuditorium.capacity }));
      setName("");
      setLayout("");
      onDone();
    }
  };
  // The refusal's own list, when the layout changed since the last preview.
  const refused = toProblem(result.error)?.layoutErrors;
  const errors = shown?.errors.length ? shown.errors : refused ?? [];
  return (
    <form className="card admin-wide" onSubmit={(e) => void submit(e)} aria-labelledby="hall-form">
      <h2 id="hall-form">{t("admin.auditorium")}</h2>
      <div className="layout-editor">
        <div>
          <Field id="hall-name" label={t("admin.hallName")}>
            <input id="hall-name" name="name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <div className="field-row">
            <Field id="hall-rows" label={t("admin.rows")}>
              <input id="hall-rows" name="rows" type="number" required min={1} max={26} value={rows} onChange={(e) => setRows(Number(e.target.value))} />
            </Field>
            <Field id="hall-seats" label={t("admin.seatsPerRow")}>
              <input id="hall-seats" name="seatsPerRow" type="number" required min={1} max={60} value={seatsPerRow} onChange={(e) => setSeatsPerRow(Number(e.target.value))} />
            </Field>
          </div>
          <Field id="hall-layout" label={t("admin.layout")} hint={t("admin.layoutHint")}>
            <textarea
              id="hall-layout"
              name="layout"
              className="layout-text"
              rows={10}
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
              placeholder={rectangle(3, 10)}
              aria-describedby="hall-layout-hint"
              value={layout}
              onChange={(e) => setLayout(e.target.value)}
            />
          </Field>
          <Outcome ok={ok} error={result.error} />
          <button type="submit" className="button button-primary" disabled={result.fetching || !cinemaId}>{t("admin.createHall")}</button>
        </div>
        <section aria-labelledby="preview-title" data-testid="layout-preview" aria-busy={preview.fetching || previewed !== drawn}>
          <h3 id="preview-title">
            {t("admin.preview")} {shown && <span className="muted">· {t("admin.previewSummary", { capacity: shown.capacity })}</span>}
          </h3>
          {shown && shown.seats.length > 0 ? (
            <SeatMap preview seats={shown.seats.map(asSeat)} gridRows={shown.gridRows} gridColumns={shown.gridColumns} label={t("seat.previewLabel", { n: new Set(shown.seats.map((s) => s.row)).size })} />
          ) : (
            !errors.length && <p className="muted">{t("admin.previewEmpty")}</p>
          )}
          <LayoutErrors errors={errors} />
        </section>
      </div>
    </form>
  );
}

function LayoutErrors({ errors }: { errors: LayoutError[] }) {
  const { t } = useI18n();
  if (!errors.length) return null;
  return (
    <div role="alert">
      <h4>{t("admin.layoutErrors")}</h4>
      <ul className="layout-errors" data-testid="layout-errors">
        {errors.map((e, i) => (
          <li key={i}>
            <strong>{e.row ? t("admin.errorAtRow", { row: e.row, line: e.line, column: e.column }) : t("admin.errorAt", { line: e.line, column: e.column })}</strong>: {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

const asSeat = (s: LayoutSeat): Seat => ({ ...s, status: s.blocked ? "BLOCKED" : "AVAILABLE" });
