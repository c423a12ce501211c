import { randomUUID } from "node:crypto";
import { formatMoney } from "@cinema/platform/money";
import type { EventEnvelope } from "@cinema/platform/events";
import type { NotificationsTx } from "../data.ts";

const won = (cents: number, currency: string) => formatMoney(cents, currency, "ko-KR");

export type Message = ReturnType<typeof confirmationMessage> | ReturnType<typeof cancellationMessage>;

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
  return {
    kind: "BOOKING_CANCELLED" as const,
    subject: `예매가 취소되었습니다 / Booking cancelled (${seats.join(", ")})`,
    body: `환불 예정 금액 ${won(amountCents, currency)}\nA refund of ${won(amountCents, currency)} is on its way to your card.`,
  };
}

/** Records the message once per event (the event id is unique), as a mail/SMS sender would queue it. */
export async function record(tx: NotificationsTx, e: EventEnvelope<"reservation.confirmed" | "reservation.cancelled">, message: Message) {
  // One plain statement: this runs for every booking, and Prisma's raw path skips query planning.
  await tx.$executeRaw`
    INSERT INTO "notification" ("id", "event_id", "customer_id", "reservation_id", "kind", "subject", "body")
    VALUES (${randomUUID()}::uuid, ${e.id}::uuid, ${e.data.customerId}, ${e.data.reservationId}::uuid, ${message.kind}::"NotificationKind", ${message.subject}, ${message.body})
    ON CONFLICT ("event_id") DO NOTHING`;
}
