import { useI18n } from "../i18n.tsx";
import type { BookedSeat, PriceItem } from "../queries.ts";

interface Line extends BookedSeat {
  items?: PriceItem[];
}

/**
 * Each seat with its class, ticket type and price, the parts of the price under it (base, class
 * surcharge, time of day, ticket discount), and the total. Used at checkout (the quote), on the
 * result page and on my page (what was charged, kept with the booking). A seat a gift voucher paid
 * says so, and the total is then split into what the vouchers paid and what the card paid.
 */
export function PriceBreakdown({ lines, currency, testId = "breakdown" }: { lines: Line[]; currency: string; testId?: string }) {
  const { t, money } = useI18n();
  const totalCents = lines.reduce((sum, l) => sum + l.priceCents, 0);
  const voucherCents = lines.reduce((sum, l) => sum + (l.voucherCode ? l.priceCents : 0), 0);
  const itemLabel = (line: Line, item: PriceItem) => {
    switch (item.kind) {
      case "BASE": return t("item.BASE");
      case "SEAT_CLASS": return t("item.SEAT_CLASS", { class: t(`class.${line.seatClass}`) });
      case "TICKET_TYPE": return t("item.TICKET_TYPE", { ticket: t(`ticket.${line.ticketType}`) });
      default: return item.label; // a time rule's name, as staff wrote it
    }
  };
  const signed = (item: PriceItem) => (item.kind !== "BASE" && item.amountCents > 0 ? `+${money(item.amountCents, currency)}` : money(item.amountCents, currency));
  return (
    <div className="breakdown" data-testid={testId}>
      <ul className="breakdown-lines">
        {lines.map((line) => (
          <li key={line.seat} data-line={line.seat}>
            <div className="breakdown-seat">
              <span>{t("checkout.seatLine", { seat: line.seat, class: t(`class.${line.seatClass}`), ticket: t(`ticket.${line.ticketType}`) })}</span>
              <strong>{money(line.priceCents, currency)}</strong>
            </div>
            {line.items && line.items.length > 0 && (
              <ul className="breakdown-items">
                {line.items.map((item, i) => (
                  <li key={i} data-kind={item.kind}>
                    <span>{itemLabel(line, item)}</span>
                    <span>{signed(item)}</span>
                  </li>
                ))}
              </ul>
            )}
            {line.voucherCode && (
              <ul className="breakdown-items">
                <li data-kind="VOUCHER">
                  <span>{t("voucher.line", { code: line.voucherCode })}</span>
                  <span>−{money(line.priceCents, currency)}</span>
                </li>
              </ul>
            )}
          </li>
        ))}
      </ul>
      <p className="breakdown-total">
        <span>{t("common.total")}</span> <strong data-testid={`${testId}-total`}>{money(totalCents, currency)}</strong>
      </p>
      {voucherCents > 0 && (
        <>
          <p className="breakdown-total">
            <span>{t("voucher.byVoucher")}</span> <span>−{money(voucherCents, currency)}</span>
          </p>
          <p className="breakdown-total">
            <span>{t("voucher.byCard")}</span> <strong data-testid={`${testId}-card`}>{money(totalCents - voucherCents, currency)}</strong>
          </p>
        </>
      )}
    </div>
  );
}
