// Money as the platform shows it in messages and history lines (ARCHITECTURE.md, "Money": integers in
// the currency's minor unit). Intl formatters are costly to build, so one per locale and currency is kept.
const formatters = new Map<string, Intl.NumberFormat>();

/** `formatMoney(15000, "KRW", "ko-KR")` → "₩15,000". */
export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = formatters.get(key);
  if (!format) formatters.set(key, (format = new Intl.NumberFormat(locale, { style: "currency", currency })));
  // Minor units to the currency's major unit (KRW has none: 15000 is ₩15,000; USD 1250 is $12.50).
  return format.format(minorUnits / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 0));
}
