import { z } from "zod";
import { idSchema, plainText } from "@cinema/platform/validation";
import { intEnv } from "@cinema/platform/config";

export const registerMovieInput = z.object({
  title: plainText(200),
  summary: plainText(4000, { multiline: true }),
  runtimeMinutes: z.number().int().min(1, "must be at least 1 minute").max(600, "must be at most 600 minutes"),
  rating: z.enum(["ALL", "AGE_12", "AGE_15", "AGE_18"]),
});

/** Rows are lettered A–Z, so at most 26; seats per row up to 60. */
export const createAuditoriumInput = z.object({
  name: plainText(100),
  rows: z.number().int().min(1, "must be at least 1").max(26, "must be at most 26 (rows are lettered A–Z)"),
  seatsPerRow: z.number().int().min(1, "must be at least 1").max(60, "must be at most 60"),
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
