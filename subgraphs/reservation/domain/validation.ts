import { z } from "zod";
import { intEnv } from "@cinema/platform/config";
import { idSchema, seatLabelSchema } from "@cinema/platform/validation";
import { passSchema } from "../waiting-room/validation.ts";

/** Seats one booking may take (scalpers buy in bulk; families rarely need more). */
export const maxSeatsPerBooking = () => intEnv("MAX_SEATS_PER_BOOKING", 8);

export const reserveInput = () =>
  z.object({
    screeningId: idSchema,
    seats: z
      .array(seatLabelSchema)
      .min(1, "choose at least one seat")
      .max(maxSeatsPerBooking(), `at most ${maxSeatsPerBooking()} seats per booking`)
      .refine((s) => new Set(s).size === s.length, "each seat may appear only once"),
    paymentToken: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(200, "must be at most 200 characters")
      .regex(/^[\x21-\x7e]+$/, "must be a card token from the payment form (e.g. tok_visa)"),
    idempotencyKey: z
      .string()
      .min(8, "must be at least 8 characters (a UUID is best)")
      .max(100, "must be at most 100 characters")
      .regex(/^[A-Za-z0-9._:-]+$/, "may contain only letters, digits and . _ : -"),
    /** Needed while the screening's waiting room is on (waiting-room/guard.ts). */
    pass: passSchema,
  });
export type ReserveInput = z.infer<ReturnType<typeof reserveInput>>;
