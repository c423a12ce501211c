import { z } from "zod";
import { badInput } from "./errors.ts";

/**
 * Parses a mutation's input with its zod schema; the first problem becomes a BAD_USER_INPUT
 * naming the field (e.g. `input.seats.0`), with a message a person can act on.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = "input"): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [root, ...issue.path.map(String)].join(".");
  throw badInput(field, `${field}: ${issue.message}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are UUIDs; anything else cannot name a record (and must not reach a uuid column). */
export const isId = (value: unknown): value is string => typeof value === "string" && UUID.test(value);
export const idSchema = z.string().regex(UUID, "must be an id returned by the API");

/** Seat labels are `<row letter>-<number>`, e.g. A-1 (rows A–Z, seats 1–99). */
export const SEAT_LABEL = /^([A-Z])-([1-9][0-9]?)$/;
export const seatLabelSchema = z.string().regex(SEAT_LABEL, "must be a seat label like A-1");

/** C0 control characters and DEL; `multiline` keeps tab, newline and carriage return. */
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** Half of a surrogate pair without the other half: not text (String#isWellFormed is ES2024). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * Text a person typed (titles, names, summaries): trimmed, 1..max characters, well-formed Unicode
 * (no lone surrogates), no control characters (PostgreSQL cannot even store NUL).
 */
export const plainText = (max: number, { multiline = false } = {}) =>
  z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !LONE_SURROGATE.test(s), "must be valid Unicode text")
    .refine((s) => !(multiline ? CONTROL_BUT_LINES : CONTROL).test(s), "must not contain control characters");
