// What each process did, from its own /metrics: SQL statements and transactions, GraphQL requests
// served, events published and consumed (and in how many fetches). The bench takes the difference
// across a run and divides by the bookings made.

/** The counters the bench reports, summed over their labels. */
export const COUNTERS = {
  statements: (name: string) => name === "db_queries_total",
  transactions: (name: string) => name === "db_transactions_total",
  "GraphQL requests served": (name: string, labels: string) => name === "http_request_duration_seconds_count" && labels.includes('route="/graphql"'),
  "events published": (name: string) => name === "events_published_total",
  "events consumed": (name: string, labels: string) => name === "events_consumed_total" && labels.includes('unit="event"'),
  "event fetches": (name: string, labels: string) => name === "events_consumed_total" && labels.includes('unit="batch"'),
} as const;
export type CounterName = keyof typeof COUNTERS;

/** Prometheus text format → the COUNTERS' totals. */
export function totals(text: string): Record<CounterName, number> {
  const out = Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, 0])) as Record<CounterName, number>;
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m) continue;
    for (const [counter, matches] of Object.entries(COUNTERS) as [CounterName, (n: string, l: string) => boolean][]) {
      if (matches(m[1]!, m[2] ?? "")) out[counter] += Number(m[3]);
    }
  }
  return out;
}

/** Every process's totals (name → port of its HTTP server). */
export async function scrape(ports: Record<string, number>): Promise<Record<string, Record<CounterName, number>>> {
  const entries = await Promise.all(
    Object.entries(ports).map(async ([name, port]) => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      return [name, totals(await res.text())] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** (after − before) / bookings, per process and counter; processes where every figure is 0 are left out. */
export function perBooking(before: Record<string, Record<CounterName, number>>, after: Record<string, Record<CounterName, number>>, bookings: number) {
  const out: Record<string, Partial<Record<CounterName, number>>> = {};
  for (const [name, counters] of Object.entries(after)) {
    const row: Partial<Record<CounterName, number>> = {};
    for (const [counter, value] of Object.entries(counters) as [CounterName, number][]) {
      const d = (value - (before[name]?.[counter] ?? 0)) / Math.max(1, bookings);
      if (d > 0) row[counter] = Math.round(d * 100) / 100;
    }
    if (Object.keys(row).length) out[name] = row;
  }
  return out;
}
