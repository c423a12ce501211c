import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Field, Outcome } from "../../components/Form.tsx";
import { ErrorMessage } from "../../errors.tsx";
import { zonedIso } from "../../dates.ts";
import { CINEMA_TIME_ZONE, useI18n } from "../../i18n.tsx";
import { SEAT_CLASSES, type AdminCinema, type SeatClass } from "../../queries.ts";
import { ISSUE_VOUCHERS, VOUCHERS, type Voucher, type VoucherStatus } from "../../queries-vouchers.ts";

const PAGE = 20;
const STATUSES: VoucherStatus[] = ["ACTIVE", "REDEEMED", "EXPIRED"];

/**
 * Staff issue gift vouchers (관람권) for a seat class — for the whole chain or one cinema, with a
 * note and an expiry — and see them listed newest first: state, and who used one for which seat.
 */
export function Vouchers({ cinemas }: { cinemas: AdminCinema[] }) {
  const { t } = useI18n();
  const [issued, setIssued] = useState<Voucher[]>([]);
  const [status, setStatus] = useState<VoucherStatus | "">("");
  const [code, setCode] = useState("");
  const [pages, setPages] = useState<(string | null)[]>([null]);
  return (
    <section className="card occupancy vouchers" aria-labelledby="vouchers-title" data-testid="admin-vouchers">
      <h2 id="vouchers-title">{t("admin.vouchers")}</h2>
      <p className="muted">{t("admin.vouchersHelp")}</p>
      <IssueForm cinemas={cinemas} onIssued={(v) => {
        setIssued(v);
        setPages([null]); // the newest page shows them
      }} />
      {issued.length > 0 && (
        <div className="notice notice-ok" data-testid="issued-codes">
          <p>{t("admin.voucherIssued", { n: issued.length })}</p>
          <p><code>{issued.map((v) => v.code).join("  ")}</code></p>
        </div>
      )}
      <div className="cinema-picker">
        <Field id="voucher-filter" label={t("admin.voucherFilter")}>
          <select id="voucher-filter" value={status} onChange={(e) => {
            setStatus(e.target.value as VoucherStatus | "");
            setPages([null]);
          }}>
            <option value="">{t("admin.voucherAll")}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{t(`voucherStatus.${s}`)}</option>)}
          </select>
        </Field>
        <Field id="voucher-find" label={t("admin.voucherFind")}>
          <input id="voucher-find" value={code} maxLength={40} autoComplete="off" spellCheck={false} placeholder={t("voucher.placeholder")} onChange={(e) => {
            setCode(e.target.value);
            setPages([null]);
          }} />
        </Field>
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("admin.voucherCode")}</th>
            <th scope="col">{t("admin.voucherClass")}</th>
            <th scope="col">{t("admin.voucherCinema")}</th>
            <th scope="col">{t("admin.voucherStatus")}</th>
            <th scope="col">{t("admin.voucherExpiry")}</th>
            <th scope="col">{t("admin.voucherRedeemedBy")}</th>
          </tr>
        </thead>
        {pages.map((after, i) => (
          <VoucherPage
            key={`${status}|${code}|${after ?? ""}|${issued.length}|${issued[0]?.code ?? ""}`}
            cinemas={cinemas}
            status={status || null}
            code={code.trim() || null}
            after={after}
            last={i === pages.length - 1}
            onMore={(cursor) => setPages((p) => [...p, cursor])}
          />
        ))}
      </table>
    </section>
  );
}

/** One page of the list (a tbody), and the button for the next when it is the last one shown. */
function VoucherPage({ cinemas, status, code, after, last, onMore }: {
  cinemas: AdminCinema[];
  status: VoucherStatus | null;
  code: string | null;
  after: string | null;
  last: boolean;
  onMore: (cursor: string) => void;
}) {
  const { t, dateTime } = useI18n();
  const [{ data, error, fetching }, refetch] = useQuery({ query: VOUCHERS, variables: { status, code, first: PAGE, after }, requestPolicy: "network-only" });
  const page = data?.vouchers;
  const cinemaName = (id: string | null) => (id ? (cinemas.find((c) => c.id === id)?.name ?? id) : t("admin.voucherAnyCinema"));
  return (
    <tbody>
      {error && (
        <tr><td colSpan={6}><ErrorMessage error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} /></td></tr>
      )}
      {page?.nodes.length === 0 && after === null && (
        <tr><td colSpan={6} className="muted">{t("admin.voucherNone")}</td></tr>
      )}
      {page?.nodes.map((v) => (
        <tr key={v.code} data-voucher={v.code} data-status={v.status}>
          <td><code>{v.code}</code>{v.label && <div className="muted">{v.label}</div>}</td>
          <td>{t(`class.${v.seatClass}`)}</td>
          <td>{cinemaName(v.cinemaId)}</td>
          <td>{t(`voucherStatus.${v.status}`)}</td>
          <td>{v.expiresAt ? dateTime(v.expiresAt) : t("admin.voucherNever")}</td>
          <td>
            {v.redemption
              ? t("admin.voucherRedemption", { customer: v.redemption.customerId, seat: v.redemption.seat, time: dateTime(v.redemption.redeemedAt) })
              : "—"}
          </td>
        </tr>
      ))}
      {last && page?.hasNextPage && page.endCursor && (
        <tr>
          <td colSpan={6}>
            <button type="button" className="button button-secondary" disabled={fetching} onClick={() => onMore(page.endCursor!)}>{t("admin.voucherMore")}</button>
          </td>
        </tr>
      )}
    </tbody>
  );
}

function IssueForm({ cinemas, onIssued }: { cinemas: AdminCinema[]; onIssued: (vouchers: Voucher[]) => void }) {
  const { t } = useI18n();
  const [result, issue] = useMutation(ISSUE_VOUCHERS);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const expires = String(f.get("expires") ?? "");
    const label = String(f.get("label") ?? "").trim();
    const res = await issue({
      input: {
        seatClass: String(f.get("seatClass")) as SeatClass,
        count: Number(f.get("count")),
        cinemaId: String(f.get("cinemaId") ?? "") || null,
        label: label || null,
        // Good through the whole of that day, on the cinemas' clock.
        expiresAt: expires ? new Date(Date.parse(zonedIso(`${expires}T23:59`, CINEMA_TIME_ZONE)) + 59_999).toISOString() : null,
      },
    });
    if (res.data) onIssued(res.data.issueVouchers);
  };
  return (
    <form className="voucher-issue" onSubmit={(e) => void submit(e)} aria-label={t("admin.voucherIssue")}>
      <Field id="voucher-class" label={t("admin.voucherClass")}>
        <select id="voucher-class" name="seatClass" defaultValue="STANDARD">
          {SEAT_CLASSES.map((c) => <option key={c} value={c}>{t(`class.${c}`)}</option>)}
        </select>
      </Field>
      <Field id="voucher-count" label={t("admin.voucherCount")}>
        <input id="voucher-count" name="count" type="number" required min={1} max={1000} defaultValue={10} />
      </Field>
      <Field id="voucher-cinema" label={t("admin.voucherCinema")}>
        <select id="voucher-cinema" name="cinemaId" defaultValue="">
          <option value="">{t("admin.voucherAnyCinema")}</option>
          {cinemas.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      </Field>
      <Field id="voucher-label" label={t("admin.voucherLabel")}>
        <input id="voucher-label" name="label" maxLength={100} />
      </Field>
      <Field id="voucher-expires" label={t("admin.voucherExpires")}>
        <input id="voucher-expires" name="expires" type="date" />
      </Field>
      <div className="whole-row">
        <Outcome error={result.error} />
        <button type="submit" className="button button-primary" disabled={result.fetching}>{t("admin.voucherIssue")}</button>
      </div>
    </form>
  );
}
