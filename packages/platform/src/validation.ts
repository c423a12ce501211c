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
