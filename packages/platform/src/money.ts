// Money as the platform shows it in messages and history lines (ARCHITECTURE.md, "Money": integers in
// the currency's minor unit). Intl formatters are costly to build (and to ask for their options), so
// one per locale and currency is kept, with the currency's scale.
const formatters = new Map<string, { format: Intl.NumberFormat; minorPerMajor: number }>();

/** `formatMoney(15000, "KRW", "ko-KR")` → "₩15,000". */
export function formatMoney(minorUnits: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let entry = formatters.get(key);
  if (!entry) {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency });
    // Minor units to the currency's major unit (KRW has none: 15000 is ₩15,000; USD 1250 is $12.50).
    formatters.set(key, (entry = { format, minorPerMajor: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 0) }));
  }
  return entry.format.format(minorUnits / entry.minorPerMajor);
}
