import type { PaymentDb } from "../data.ts";
import { rulesFromInput, type PriceRulesInput } from "./price-rules-input.ts";
import { savePriceRules, type CinemaPriceRules } from "./price-rules-store.ts";

/**
 * Staff replace a cinema's price rules whole. Bookings already paid keep the breakdown they were
 * charged with (on their payment row); only later quotes and bookings use the new rules.
 */
export const setPriceRules = (db: PaymentDb, input: PriceRulesInput): Promise<CinemaPriceRules> =>
  savePriceRules(db, input.cinemaId, rulesFromInput(input));
