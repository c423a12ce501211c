import { z } from "zod";
import { normalizeVoucherCode } from "@cinema/platform/voucher-code";
import { intEnv } from "@cinema/platform/config";
import { idSchema, seatLabelSchema } from "@cinema/platform/validation";
import { passSchema } from "../waiting-room/validation.ts";

/**
 * The most seats any booking may take (scalpers buy in bulk); each cinema sets its own limit up to
 * this (Cinema.maxSeatsPerBooking, checked by the saga).
 */
export const maxSeatsPerBooking = () => intEnv("MAX_SEATS_PER_BOOKING", 20);

export const TICKET_TYPES = ["ADULT", "YOUTH", "SENIOR", "DISABLED"] as const;

const seatList = (max: number) =>
  z
    .array(seatLabelSchema)
    .min(1, "choose at least one seat")
    .max(max, `at most ${max} seats per booking`)
    .refine((s) => new Set(s).size === s.length, "each seat may appear only once");

/**
 * A gift voucher's code as typed, in its stored form when it can be a code (normalizeVoucherCode:
 * case, spaces and hyphens do not matter), else as typed in upper case: payment decides whether it
 * exists and can pay the seat, and names it in the refusal.
 */
const voucherCode = z
  .string()
  .max(40, "must be at most 40 characters")
  .transform((s) => s.toUpperCase().replace(/[\s-]+/g, ""))
  .refine((s) => /^[A-Z0-9]*$/.test(s), "must be a gift voucher code like 7KQM-2XPA-9RTD (letters and digits)")
  .transform((s) => (s ? (normalizeVoucherCode(s) ?? s) : null));

const ticketList = (max: number) =>
  z
    .array(z.object({ seat: seatLabelSchema, ticketType: z.enum(TICKET_TYPES), voucherCode: voucherCode.nullish() }))
    .min(1, "choose at least one seat")
    .max(max, `at most ${max} seats per booking`)
    .refine((t) => new Set(t.map((x) => x.seat)).size === t.length, "each seat may appear only once")
    .superRefine((tickets, ctx) => {
      const seen = new Set<string>();
      tickets.forEach((t, i) => {
        if (!t.voucherCode) return;
        if (seen.has(t.voucherCode)) ctx.addIssue({ code: "custom", path: [i, "voucherCode"], message: `voucher ${t.voucherCode} can pay for one seat only` });
        seen.add(t.voucherCode);
      });
    });

const buildReserveInput = (max: number) =>
  z
    .object({
      screeningId: idSchema,
      /** Seats, each an ADULT ticket (the older form of `tickets`). */
      seats: seatList(max).nullish(),
      /** Seats with their ticket types. */
      tickets: ticketList(max).nullish(),
      /** The card; not needed when gift vouchers pay every seat. */
      paymentToken: z
        .string()
        .trim()
        .min(1, "must not be empty")
        .max(200, "must be at most 200 characters")
        .regex(/^[\x21-\x7e]+$/, "must be a card token from the payment form (e.g. tok_visa)")
        .nullish(),
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
      const allByVoucher = !!v.tickets?.length && v.tickets.every((t) => t.voucherCode);
      if (v.paymentToken == null && !allByVoucher) {
        ctx.addIssue({ code: "custom", path: ["paymentToken"], message: "a card token is needed unless gift vouchers pay for every seat" });
      }
    })
    // One shape for the saga: the seats in the order given, each with its ticket type.
    .transform(({ seats, tickets, expectedTotalCents, paymentToken, ...rest }) => {
      const chosen = tickets ?? (seats ?? []).map((seat) => ({ seat, ticketType: "ADULT" as const, voucherCode: null }));
      return {
        ...rest,
        seats: chosen.map((t) => t.seat),
        tickets: chosen.map((t) => ({ ...t, voucherCode: t.voucherCode ?? null })),
        paymentToken: paymentToken ?? null,
        expectedTotalCents: expectedTotalCents ?? null,
      };
    });

/**
 * The input of `reserve`, built once per seat limit: building a zod schema (and compiling it on its
 * first parse) cost more than a tenth of the reservation subgraph's CPU when it was done per request.
 */
const reserveInputs = new Map<number, ReturnType<typeof buildReserveInput>>();
export function reserveInput(): ReturnType<typeof buildReserveInput> {
  const max = maxSeatsPerBooking();
  let schema = reserveInputs.get(max);
  if (!schema) reserveInputs.set(max, (schema = buildReserveInput(max)));
  return schema;
}
export type ReserveInput = z.infer<ReturnType<typeof reserveInput>>;
export type TicketType = (typeof TICKET_TYPES)[number];
