import type { ConsumerOptions, EventType } from "@cinema/platform";
import type { EventEnvelope } from "@cinema/platform/events";
import { handleEachOnce } from "@cinema/platform/outbox";
import type { NotificationsDb, NotificationsTx } from "./data.ts";
import { cancellationMessage, confirmationMessage, record, seatsCancelledMessage, type Message } from "./domain/messages.ts";

/**
 * The notifications worker only listens: it was added by subscribing durable consumers to the
 * stream, without any change to the services that publish these events.
 * - consumes `reservation.confirmed` → a confirmation message;
 * - consumes `reservation.cancelled` → a cancellation message (of a screening the cinema called
 *   off: a message saying so, with staff's reason and the full refund);
 * - consumes `reservation.seats-cancelled` → what was cancelled and refunded, and the new ticket.
 */
export function notificationConsumers(db: NotificationsDb): ConsumerOptions<EventType>[] {
  const consumer = <T extends "reservation.confirmed" | "reservation.cancelled" | "reservation.seats-cancelled">(
    durable: string,
    type: T,
    message: (e: EventEnvelope<T>) => Message,
  ): ConsumerOptions<EventType> => {
    const handleBatch = async (events: EventEnvelope<EventType>[]) => {
      await handleEachOnce(db, "notifications", events as EventEnvelope<T>[], (tx: NotificationsTx, e) => record(tx, e, message(e)));
    };
    return { durable, type, handleBatch };
  };
  return [
    consumer("notifications_reservation-confirmed", "reservation.confirmed", confirmationMessage),
    consumer("notifications_reservation-cancelled", "reservation.cancelled", cancellationMessage),
    consumer("notifications_reservation-seats-cancelled", "reservation.seats-cancelled", seatsCancelledMessage),
  ];
}
