import { z } from "zod";
import { intEnv } from "@cinema/platform/config";
import { idSchema, seatLabelSchema } from "@cinema/platform/validation";
import { passSchema } from "../waiting-room/validation.ts";

/**
 * The most seats any booking may take (scalpers buy in bulk); each cinema sets its own limit up to
 * this (Cinema.maxSeatsPerBooking, checked by the saga).
 */
export const maxSeatsPerBooking = () => intEnv("MAX_SEATS_PER_BOOKING", 20);

export const TICKET_TYPES = ["ADULT", "YOUTH", "SENIOR", "DISABLED"] as const;

const seatList = () =>
  z
    .array(seatLabelSchema)
    .min(1, "choose at least one seat")
    .max(maxSeatsPerBooking(), `at most ${maxSeatsPerBooking()} seats per booking`)
    .refine((s) => new Set(s).size === s.length, "each seat may appear only once");

const ticketList = () =>
  z
    .array(z.object({ seat: seatLabelSchema, ticketType: z.enum(TICKET_TYPES) }))
    .min(1, "choose at least one seat")
    .max(maxSeatsPerBooking(), `at most ${maxSeatsPerBooking()} seats per booking`)
    .refine((t) => new Set(t.map((x) => x.seat)).size === t.length, "each seat may appear only once");

export const reserveInput = () =>
  z
    .object({
      screeningId: idSchema,
      /** Seats, each an ADULT ticket (the older form of `tickets`). */
      seats: seatList().nullish(),
      /** Seats with their ticket types. */
      tickets: ticketList().nullish(),
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
      /** The total the customer was shown: if the price differs now, payment refuses (PRICE_CHANGED). */
      expectedTotalCents: z.number().int().min(0).max(100_000_000).nullish(),
      /** Needed while the screening's waiting room is on (waiting-room/guard.ts). */
      pass: passSchema,
    })
    .superRefine((v, ctx) => {
      if ((v.seats == null) === (v.tickets == null)) ctx.addIssue({ code: "custom", path: ["tickets"], message: "give either tickets or seats, not both" });
    })
    // One shape for the saga: the seats in the order given, each with its ticket type.
    .transform(({ seats, tickets, expectedTotalCents, ...rest }) => {
      const chosen = tickets ?? (seats ?? []).map((seat) => ({ seat, ticketType: "ADULT" as const }));
      return { ...rest, seats: chosen.map((t) => t.seat), tickets: chosen, expectedTotalCents: expectedTotalCents ?? null };
    });
export type ReserveInput = z.infer<ReturnType<typeof reserveInput>>;
export type TicketType = (typeof TICKET_TYPES)[number];
