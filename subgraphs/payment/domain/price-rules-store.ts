import { intEnv } from "@cinema/platform/config";
import type { PaymentDb } from "../data.ts";
import type { PriceRules as PriceRulesRow } from "../generated/prisma/client.ts";
import { DEFAULT_RULES, SEAT_CLASSES, TICKET_TYPES, type PriceRules } from "./price-rules.ts";

/** A cinema's rules as answered: its own, or the defaults (updatedAt null) when it never saved any. */
export interface CinemaPriceRules extends PriceRules {
  cinemaId: string;
  updatedAt: Date | null;
}

// Every booking and quote prices with its cinema's rules: kept for a few seconds instead of read
// each time. A change here drops them at once; other replicas see it within the TTL.
const TTL_MS = intEnv("PRICE_RULES_CACHE_MS", 5000);
const cache = new Map<string, { rules: CinemaPriceRules; expires: number }>();
// Bumped by every change: a read that began before it does not put stale rules back.
let generation = 0;

/** Every class and type present (a key missing from the JSON means 0, as when saved). */
const complete = <K extends string>(keys: readonly K[], json: unknown): Record<K, number> => {
  const saved = (json ?? {}) as Partial<Record<K, number>>;
  return Object.fromEntries(keys.map((k) => [k, saved[k] ?? 0])) as Record<K, number>;
};

const fromRow = (row: PriceRulesRow): CinemaPriceRules => ({
  cinemaId: row.cinemaId,
  currency: row.currency,
  seatClasses: complete(SEAT_CLASSES, row.seatClasses),
  ticketTypes: complete(TICKET_TYPES, row.ticketTypes),
  timeRules: row.timeRules as unknown as PriceRules["timeRules"],
  updatedAt: row.updatedAt,
});
export const defaultsFor = (cinemaId: string): CinemaPriceRules => ({ ...DEFAULT_RULES, cinemaId, updatedAt: null });

/** The rules of these cinemas, in order (one query for those not cached). */
export async function loadPriceRules(db: PaymentDb, cinemaIds: readonly string[]): Promise<CinemaPriceRules[]> {
  const now = Date.now();
  const known = new Map<string, CinemaPriceRules>();
  for (const id of cinemaIds) {
    const hit = cache.get(id);
    if (hit && hit.expires > now) known.set(id, hit.rules);
  }
  const missing = [...new Set(cinemaIds.filter((id) => !known.has(id)))];
  if (missing.length) {
    const started = generation;
    const rows = await db.priceRules.findMany({ where: { cinemaId: { in: missing } } });
    const found = new Map(rows.map((r) => [r.cinemaId, fromRow(r)]));
    for (const id of missing) {
      const rules = found.get(id) ?? defaultsFor(id);
      known.set(id, rules);
      if (started === generation) cache.set(id, { rules, expires: now + TTL_MS });
    }
  }
  return cinemaIds.map((id) => known.get(id)!);
}

/** Saves a cinema's rules whole (version + 1) and forgets the cached ones. */
export async function savePriceRules(db: PaymentDb, cinemaId: string, rules: PriceRules): Promise<CinemaPriceRules> {
  const data = { currency: rules.currency, seatClasses: rules.seatClasses, ticketTypes: rules.ticketTypes, timeRules: rules.timeRules as object[] };
  const row = await db.priceRules.upsert({
    where: { cinemaId },
    create: { cinemaId, ...data },
    update: { ...data, version: { increment: 1 } },
  });
  generation++;
  cache.delete(cinemaId);
  return fromRow(row);
}
