// Staff dashboard: occupancy and revenue by screening, day, movie or cinema, as a chart and a
// table, with a CSV download. Live: each dashboardChanged message (a booking, a cancellation, a
// refund moved some screening's figures) refetches the figures, at most twice a second.
import { useEffect, useMemo, useRef, useState } from "react";
import { useClient, useQuery, useSubscription } from "urql";
import { DashboardChart } from "../components/DashboardChart.tsx";
import { Field } from "../components/Form.tsx";
import { LiveBadge } from "../components/LiveBadge.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { ErrorMessage } from "../errors.tsx";
import { useI18n } from "../i18n.tsx";
import { DASHBOARD, DASHBOARD_CHANGED, DASHBOARD_CINEMAS, DASHBOARD_CSV, GROUPINGS, type DashboardRow, type Grouping } from "./dashboard-queries.ts";

const REFETCH_EVERY_MS = 500;
/** Decimal places of the currency's major unit (KRW 0: its minor unit is the won itself). */
const digitsOf = (currency: string) => new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 0;

export function DashboardPage() {
  const { t, lang, dateTime, localDay, money } = useI18n();
  const client = useClient();
  const [groupBy, setGroupBy] = useState<Grouping>("SCREENING");
  const [cinemaId, setCinemaId] = useState<string>("");
  const variables = useMemo(() => ({ groupBy, cinemaId: cinemaId || null }), [groupBy, cinemaId]);
  const [{ data, error }, refetch] = useQuery({ query: DASHBOARD, variables, requestPolicy: "cache-and-network" });
  const [{ data: cinemas }] = useQuery({ query: DASHBOARD_CINEMAS });
  const [downloadError, setDownloadError] = useState<unknown>();

  // Live: a change refetches the figures; changes arriving close together cost one refetch.
  const [changed] = useSubscription({ query: DASHBOARD_CHANGED });
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (!changed.data || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      refetch({ requestPolicy: "network-only" });
    }, REFETCH_EVERY_MS);
  }, [changed.data, refetch]);
  useEffect(() => () => clearTimeout(pending.current), []);

  const rows = data?.dashboard.rows ?? [];
  const labelOf = (r: DashboardRow) =>
    groupBy === "SCREENING" ? `${r.label} · ${dateTime(r.startsAt)}` : groupBy === "DAY" ? localDay(r.key) : r.label;
  const series = useMemo(() => {
    return {
      labels: rows.map(labelOf),
      // The chart's axis counts in the major unit (won, dollars), as people read money.
      revenue: rows.map((r) => r.revenueCents / 10 ** digitsOf(r.currency)),
      occupancy: rows.map((r) => Math.round(r.occupancy * 1000) / 10),
    };
    // labelOf follows the language through dateTime/localDay.
  }, [rows, lang]);
  const currency = rows[0]?.currency ?? "KRW";
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

  const download = async () => {
    setDownloadError(undefined);
    const result = await client.query(DASHBOARD_CSV, variables, { requestPolicy: "network-only" }).toPromise();
    if (result.error || !result.data) return setDownloadError(result.error);
    const url = URL.createObjectURL(new Blob([result.data.dashboardCsv], { type: "text/csv;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `dashboard-${groupBy.toLowerCase()}-${new Date().toISOString().slice(0, 10)}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <>
      <PageTitle>{t("dashboard.title")}</PageTitle>
      <p className="muted">{t("dashboard.intro")} <LiveBadge /></p>
      <div className="dashboard-controls" style={{ display: "flex", gap: "1rem", alignItems: "flex-end", flexWrap: "wrap" }}>
        <Field id="dashboard-group" label={t("dashboard.groupBy")}>
          <select id="dashboard-group" value={groupBy} onChange={(e) => setGroupBy(e.target.value as Grouping)}>
            {GROUPINGS.map((g) => <option key={g} value={g}>{t(`dashboard.group.${g}`)}</option>)}
          </select>
        </Field>
        <Field id="dashboard-cinema" label={t("dashboard.cinema")}>
          <select id="dashboard-cinema" value={cinemaId} onChange={(e) => setCinemaId(e.target.value)}>
            <option value="">{t("dashboard.allCinemas")}</option>
            {(cinemas?.cinemas ?? []).map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </Field>
        <button type="button" className="button" onClick={download}>{t("dashboard.csv")}</button>
      </div>
      <ErrorMessage error={error ?? downloadError} onRetry={() => refetch({ requestPolicy: "network-only" })} />
      <section className="card" aria-labelledby="dashboard-figures">
        <h2 id="dashboard-figures" className="visually-hidden">{t(`dashboard.group.${groupBy}`)}</h2>
        <DashboardChart
          series={series}
          label={t("dashboard.chartLabel", { group: t(`dashboard.group.${groupBy}`) })}
          revenueLabel={t("dashboard.revenue")}
          occupancyLabel={t("dashboard.occupancy")}
          occupancyAxis={t("dashboard.occupancyAxis")}
          formatMoney={(major) => money(major * 10 ** digitsOf(currency), currency)}
        />
        {data && rows.length === 0 ? (
          <p className="muted">{t("dashboard.none")}</p>
        ) : (
          <table className="dashboard-table">
            <thead>
              <tr>
                <th scope="col">{t(`dashboard.group.${groupBy}`)}</th>
                {groupBy === "SCREENING" && <th scope="col">{t("dashboard.cinema")}</th>}
                <th scope="col">{t("dashboard.screenings")}</th>
                <th scope="col">{t("dashboard.seats")}</th>
                <th scope="col">{t("dashboard.occupancy")}</th>
                <th scope="col">{t("dashboard.bookings")}</th>
                <th scope="col">{t("dashboard.cancellations")}</th>
                <th scope="col">{t("dashboard.revenue")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.key}|${r.currency}`} data-key={r.key}>
                  <th scope="row">
                    {labelOf(r)}
                    {groupBy === "SCREENING" && r.cancelledScreenings > 0 && <> <span className="badge badge-cancelled" data-field="cancelled">{t("dashboard.screeningCancelled")}</span></>}
                  </th>
                  {groupBy === "SCREENING" && <td>{r.cinemaName ?? "—"}</td>}
                  {/* A screening's own row says it with the badge above. */}
                  <td>{groupBy === "SCREENING" ? r.screenings : <Screenings row={r} />}</td>
                  <td data-field="seats">{r.seatsSold} / {r.seatsForSale}</td>
                  <td>{percent(r.occupancy)}</td>
                  <td>{r.bookings}</td>
                  <td>{r.cancellations}</td>
                  <td data-field="revenue">{money(r.revenueCents, r.currency)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              {(data?.dashboard.totals ?? []).map((r) => (
                <tr key={r.currency}>
                  <th scope="row">{t("dashboard.total")}</th>
                  {groupBy === "SCREENING" && <td />}
                  <td><Screenings row={r} /></td>
                  <td>{r.seatsSold} / {r.seatsForSale}</td>
                  <td>{percent(r.occupancy)}</td>
                  <td>{r.bookings}</td>
                  <td>{r.cancellations}</td>
                  <td>{money(r.revenueCents, r.currency)}</td>
                </tr>
              ))}
            </tfoot>
          </table>
        )}
        {rows.some((r) => r.cancelledScreenings > 0) && <p className="muted">{t("dashboard.cancelledNote")}</p>}
      </section>
    </>
  );
}

/** How many screenings a row adds up, and how many of them staff called off (their seats are not for sale). */
function Screenings({ row }: { row: DashboardRow }) {
  const { t } = useI18n();
  return (
    <>
      {row.screenings}
      {row.cancelledScreenings > 0 && <span className="muted" data-field="cancelled-screenings"> ({t("dashboard.screeningsCancelled", { n: row.cancelledScreenings })})</span>}
    </>
  );
}
