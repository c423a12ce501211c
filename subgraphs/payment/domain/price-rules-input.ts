import { z } from "zod";
import { idSchema, plainText } from "@cinema/platform/validation";
import { DEFAULT_CURRENCY, SEAT_CLASSES, TICKET_TYPES, WEEKDAYS, type PriceRules } from "./price-rules.ts";

const MAX_AMOUNT = 1_000_000;
const amount = z.number().int("must be a whole number").min(-MAX_AMOUNT, `must be at least -${MAX_AMOUNT}`).max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);
const FROM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const UNTIL = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

/** Each entry's key once at most: the message names the duplicate (the field names its second place). */
const uniqueBy = <T>(key: (item: T) => string, what: string) => (items: T[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(key(item))) ctx.addIssue({ code: "custom", path: [i], message: `${what} ${key(item)} is given more than once` });
    seen.add(key(item));
  });
};

const timeRule = z
  .object({
    label: plainText(60),
    days: z.array(z.enum(WEEKDAYS)).min(1, "must name at least one day").superRefine(uniqueBy((d) => d, "day")),
    from: z.string().regex(FROM, "must be a time like 09:30 (00:00–23:59)"),
    until: z.string().regex(UNTIL, "must be a time like 10:00 (00:00–24:00)"),
    amountCents: amount,
  })
  .superRefine((r, ctx) => {
    if (FROM.test(r.from) && UNTIL.test(r.until) && r.from >= r.until) ctx.addIssue({ code: "custom", path: ["until"], message: "must be later than from" });
  });

/** setPriceRules' input: classes and types at most once each, missing ones mean 0. */
export const priceRulesInput = z.object({
  cinemaId: idSchema,
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code").nullish().transform((c) => c ?? DEFAULT_CURRENCY),
  seatClasses: z
    .array(z.object({ seatClass: z.enum(SEAT_CLASSES), surchargeCents: amount }))
    .superRefine(uniqueBy((c) => c.seatClass, "seat class")),
  ticketTypes: z
    .array(z.object({ ticketType: z.enum(TICKET_TYPES), discountCents: amount.min(0, "must not be negative (a discount is taken off)") }))
    .superRefine(uniqueBy((t) => t.ticketType, "ticket type")),
  timeRules: z.array(timeRule).max(20, "at most 20 time rules"),
});
export type PriceRulesInput = z.infer<typeof priceRulesInput>;

/** The input as stored rules: every class and type present. */
export function rulesFromInput(input: PriceRulesInput): PriceRules {
  const seatClasses = Object.fromEntries(SEAT_CLASSES.map((c) => [c, input.seatClasses.find((s) => s.seatClass === c)?.surchargeCents ?? 0]));
  const ticketTypes = Object.fromEntries(TICKET_TYPES.map((t) => [t, input.ticketTypes.find((s) => s.ticketType === t)?.discountCents ?? 0]));
  return { currency: input.currency, seatClasses: seatClasses as PriceRules["seatClasses"], ticketTypes: ticketTypes as PriceRules["ticketTypes"], timeRules: input.timeRules };
}
