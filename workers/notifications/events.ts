import type { ConsumerOptions, EventType } from "@cinema/platform";
import type { EventEnvelope } from "@cinema/platform/events";
import { handleEachOnce } from "@cinema/platform/outbox";
import type { NotificationsDb, NotificationsTx } from "./data.ts";
import { cancellationMessage, confirmationMessage, record, type Message } from "./domain/messages.ts";

/**
 * The notifications worker only listens: it was added by subscribing durable consumers to the
 * stream, without any change to the services that publish these events.
 * - consumes `reservation.confirmed` → a confirmation message;
 * - consumes `reservation.cancelled` → a cancellation message.
 */
export function notificationConsumers(db: NotificationsDb): ConsumerOptions<EventType>[] {
  const consumer = <T extends "reservation.confirmed" | "reservation.cancelled">(
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
  ];
}
