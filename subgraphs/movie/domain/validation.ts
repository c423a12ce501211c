import { z } from "zod";
import { idSchema, plainText } from "@cinema/platform/validation";
import { intEnv } from "@cinema/platform/config";
import { canonicalTimeZone } from "@cinema/platform/time-zone";

export const registerMovieInput = z.object({
  title: plainText(200),
  summary: plainText(4000, { multiline: true }),
  runtimeMinutes: z.number().int().min(1, "must be at least 1 minute").max(600, "must be at most 600 minutes"),
  rating: z.enum(["ALL", "AGE_12", "AGE_15", "AGE_18"]),
});

/** Layout text as typed; its meaning is checked by the parser (domain/layout.ts), this only bounds its size. */
export const layoutText = z.string().max(4000, "must be at most 4,000 characters");

/**
 * A drawn `layout`, or the legacy rows × seatsPerRow rectangle (rows are lettered A–Z, so at most
 * 26; a line has at most 60 columns). `cinemaId` omitted → the first cinema.
 */
export const createAuditoriumInput = z
  .object({
    cinemaId: idSchema.nullish(),
    name: plainText(100),
    layout: layoutText.nullish(),
    rows: z.number().int().min(1, "must be at least 1").max(26, "must be at most 26 (rows are lettered A–Z)").nullish(),
    seatsPerRow: z.number().int().min(1, "must be at least 1").max(60, "must be at most 60").nullish(),
  })
  .superRefine((v, ctx) => {
    const legacy = v.rows != null || v.seatsPerRow != null;
    if (v.layout != null && legacy) ctx.addIssue({ code: "custom", path: ["layout"], message: "give either a layout or rows and seatsPerRow, not both" });
    else if (v.layout == null && !legacy) ctx.addIssue({ code: "custom", path: ["layout"], message: "give a layout (or rows and seatsPerRow)" });
    else if (v.layout == null && v.rows == null) ctx.addIssue({ code: "custom", path: ["rows"], message: "is needed with seatsPerRow" });
    else if (v.layout == null && v.seatsPerRow == null) ctx.addIssue({ code: "custom", path: ["seatsPerRow"], message: "is needed with rows" });
  });

export const scheduleScreeningInput = z.object({
  movieId: idSchema,
  auditoriumId: idSchema,
  startsAt: z.iso
    .datetime({ offset: true, message: "must be an ISO-8601 time with an offset, e.g. 2026-12-24T19:30:00+09:00" })
    .transform((s) => new Date(s))
    .refine((d) => d.getTime() > Date.now(), "must be in the future"),
  priceCents: z.number().int().min(1, "must be positive").max(10_000_000, "must be at most 10,000,000"),
});

/** Minutes kept free after a screening for cleaning, before the next may start. */
export const turnaroundMinutes = () => intEnv("SCREENING_TURNAROUND_MINUTES", 15);
export const CURRENCY = process.env.CINEMA_CURRENCY ?? "KRW";

/** An IANA time zone Intl knows, stored as Intl spells it. */
const timeZone = z.string().transform((name, ctx) => {
  const canonical = canonicalTimeZone(name);
  if (!canonical) {
    ctx.addIssue({ code: "custom", message: `"${name.slice(0, 64)}" is not a time zone; use an IANA name like Asia/Seoul` });
    return z.NEVER;
  }
  return canonical;
});
/** A cinema's booking limit: the saga's absolute cap on seats per booking is 20. */
const maxSeatsPerBooking = z.number().int().min(1, "must be at least 1").max(20, "must be at most 20");

/** Minutes before the start after which customers can no longer cancel (staff always can): up to a day. */
const cancelCutoffMinutes = z.number().int().min(0, "must be at least 0").max(1440, "must be at most 1,440 (a day)");
export const DEFAULT_CANCEL_CUTOFF_MINUTES = 20;

export const createCinemaInput = z.object({
  name: plainText(100),
  address: plainText(300),
  timeZone,
  maxSeatsPerBooking: maxSeatsPerBooking.nullish().transform((n) => n ?? 8),
  cancelCutoffMinutes: cancelCutoffMinutes.nullish().transform((n) => n ?? DEFAULT_CANCEL_CUTOFF_MINUTES),
});

/** Null or missing fields stay as they are. */
export const updateCinemaInput = z.object({
  name: plainText(100).nullish(),
  address: plainText(300).nullish(),
  timeZone: timeZone.nullish(),
  maxSeatsPerBooking: maxSeatsPerBooking.nullish(),
  cancelCutoffMinutes: cancelCutoffMinutes.nullish(),
});

/** Staff calling a screening off say why, in words the customers will read. */
export const screeningCancelReason = plainText(300);
