import { randomUUID } from "node:crypto";
import { formatMoney } from "@cinema/platform/money";
import type { EventEnvelope } from "@cinema/platform/events";
import type { NotificationsTx } from "../data.ts";

const won = (cents: number, currency: string) => formatMoney(cents, currency, "ko-KR");

export type Message = ReturnType<typeof confirmationMessage> | ReturnType<typeof cancellationMessage> | ReturnType<typeof seatsCancelledMessage>;

/** The message a customer gets when a booking is confirmed (Korean first, English below). */
export function confirmationMessage(e: EventEnvelope<"reservation.confirmed">) {
  const { seats, amountCents, currency } = e.data;
  return {
    kind: "BOOKING_CONFIRMED" as const,
    subject: `예매가 완료되었습니다 / Booking confirmed (${seats.join(", ")})`,
    body: `좌석 ${seats.join(", ")} · 결제 ${won(amountCents, currency)}\nSeats ${seats.join(", ")}, paid ${won(amountCents, currency)}. Your ticket follows on my page.`,
  };
}

export function cancellationMessage(e: EventEnvelope<"reservation.cancelled">) {
  const { seats, amountCents, currency } = e.data;
  if (e.data.reason === "SCREENING_CANCELLED") return screeningCancelledMessage(e);
  return {
    kind: "BOOKING_CANCELLED" as "BOOKING_CANCELLED" | "SCREENING_CANCELLED",
    subject: `예매가 취소되었습니다 / Booking cancelled (${seats.join(", ")})`,
    body: `환불 예정 금액 ${won(amountCents, currency)}\nA refund of ${won(amountCents, currency)} is on its way to your card.`,
  };
}

/** Some seats cancelled: what is refunded, which vouchers came back, and the new ticket for the seats kept. */
export function seatsCancelledMessage(e: EventEnvelope<"reservation.seats-cancelled">) {
  const { seats, remainingSeats, refundCents, vouchers, currency, ticketCode } = e.data;
  const ko = [`좌석 ${seats.join(", ")} 취소`, refundCents > 0 && `환불 예정 ${won(refundCents, currency)}`, vouchers.length && `관람권 ${vouchers.join(", ")} 재사용 가능`]
    .filter(Boolean)
    .join(" · ");
  const en = [
    `Seats ${seats.join(", ")} cancelled`,
    refundCents > 0 && `a refund of ${won(refundCents, currency)} is on its way to your card`,
    vouchers.length && `voucher ${vouchers.join(", ")} can be used again`,
  ]
    .filter(Boolean)
    .join("; ");
  const ticket = ticketCode ? `\n새 티켓 / New ticket ${ticketCode}: ${remainingSeats.join(", ")}` : "";
  return {
    kind: "SEATS_CANCELLED" as const,
    subject: `일부 좌석이 취소되었습니다 / Seats cancelled (${seats.join(", ")})`,
    body: `${ko}\n${en}. Still booked: ${remainingSeats.join(", ")}.${ticket}`,
  };
}

/** The cinema called the screening off: the booking is cancelled and fully refunded, with staff's reason. */
function screeningCancelledMessage(e: EventEnvelope<"reservation.cancelled">) {
  const { seats, amountCents, currency, note } = e.data;
  const why = note ? ` (${note})` : "";
  return {
    kind: "SCREENING_CANCELLED" as const,
    subject: `상영이 취소되었습니다 / Screening cancelled (${seats.join(", ")})`,
    body:
      `극장 사정으로 상영이 취소되어 예매가 취소되었습니다${why}. ${won(amountCents, currency)} 전액 환불됩니다.\n` +
      `The cinema cancelled this screening${why}, so your booking is cancelled and the full ${won(amountCents, currency)} is refunded to your card. We are sorry.`,
  };
}

/** Records the message once per event (the event id is unique), as a mail/SMS sender would queue it. */
export async function record(
  tx: NotificationsTx,
  e: EventEnvelope<"reservation.confirmed" | "reservation.cancelled" | "reservation.seats-cancelled">,
  message: Message,
) {
  // One plain statement: this runs for every booking, and Prisma's raw path skips query planning.
  await tx.$executeRaw`
    INSERT INTO "notification" ("id", "event_id", "customer_id", "reservation_id", "kind", "subject", "body")
    VALUES (${randomUUID()}::uuid, ${e.id}::uuid, ${e.data.customerId}, ${e.data.reservationId}::uuid, ${message.kind}::"NotificationKind", ${message.subject}, ${message.body})
    ON CONFLICT ("event_id") DO NOTHING`;
}
