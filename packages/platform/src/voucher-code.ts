// The gift voucher code's format, one definition for the payment subgraph (which issues and redeems
// codes) and the reservation subgraph (which reads them off a booking's tickets).
import { randomInt } from "node:crypto";

/**
 * Letters and digits a person reads and types without doubt: no 0/O, 1/I (32 symbols, 5 bits each).
 * L stays: without I and 1 beside it, it is not mistaken.
 */
export const VOUCHER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const GROUPS = 3;
const GROUP_LENGTH = 4;
const LENGTH = GROUPS * GROUP_LENGTH;

/**
 * A new code, e.g. `7KQM-2XPA-9RTD`: 12 symbols from the crypto RNG (60 bits), so guessing one of a
 * million issued codes takes about 10^12 tries. Grouped by four for reading aloud.
 */
export function newVoucherCode(): string {
  let code = "";
  for (let i = 0; i < LENGTH; i++) code += VOUCHER_ALPHABET[randomInt(VOUCHER_ALPHABET.length)];
  return group(code);
}

const group = (symbols: string) => symbols.match(new RegExp(`.{1,${GROUP_LENGTH}}`, "g"))!.join("-");

/**
 * The stored form of what a customer typed: case, spaces and hyphens do not matter
 * (`7kqm 2xpa 9rtd` is `7KQM-2XPA-9RTD`). Null when it cannot be a code: no such voucher exists.
 */
export function normalizeVoucherCode(typed: string): string | null {
  const symbols = typed.toUpperCase().replace(/[\s-]+/g, "");
  if (symbols.length !== LENGTH || [...symbols].some((c) => !VOUCHER_ALPHABET.includes(c))) return null;
  return group(symbols);
}
