// A screening's seat map as staff see it (read-only, live), and blocking seats from sale (broken,
// kept for the house) or opening them again: seat's setSeatsBlocked. A sold or held seat cannot be
// blocked; the server says so (CONFLICT).
import { useState } from "react";
import { useMutation } from "urql";
import { Outcome } from "../../components/Form.tsx";
import { SeatMap } from "../../components/SeatMap.tsx";
import { useI18n } from "../../i18n.tsx";
import type { Seat } from "../../queries.ts";
import { SET_SEATS_BLOCKED } from "../../queries-cinema.ts";

export function BlockSeats({ screeningId, seats, onDone }: { screeningId: string; seats: Seat[]; onDone: () => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [result, setBlocked] = useMutation(SET_SEATS_BLOCKED);
  const [ok, setOk] = useState<string>();
  const toggle = (label: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(label)) next.add(label);
      return next;
    });
  const apply = async (blocked: boolean) => {
    setOk(undefined);
    const res = await setBlocked({ screeningId, labels: [...selected], blocked });
    if (res.data) {
      setOk(t("admin.blockedDone", { n: res.data.setSeatsBlocked.length }));
      setSelected(new Set());
      onDone();
    }
  };
  return (
    <section className="card seat-panel">
      <SeatMap seats={seats} selected={editing ? selected : undefined} onToggle={editing ? toggle : undefined} anyStatus={editing} />
      {editing ? (
        <div className="block-seats">
          <p className="hint">{t("admin.blockHint")}</p>
          <p className="actions">
            <button type="button" className="button button-primary" disabled={!selected.size || result.fetching} onClick={() => void apply(true)}>{t("admin.block")}</button>
            <button type="button" className="button button-secondary" disabled={!selected.size || result.fetching} onClick={() => void apply(false)}>{t("admin.unblock")}</button>
            <button type="button" className="button button-ghost" onClick={() => { setEditing(false); setSelected(new Set()); }}>{t("admin.doneBlocking")}</button>
          </p>
          <Outcome ok={ok} error={result.error} />
        </div>
      ) : (
        <p className="actions">
          <button type="button" className="button button-secondary" onClick={() => setEditing(true)}>{t("admin.chooseToBlock")}</button>
        </p>
      )}
    </section>
  );
}
