import type { ConsumerOptions, EventType } from "@cinema/platform";
import type { EventEnvelope } from "@cinema/platform/events";
import { handleOnce } from "@cinema/platform/outbox";
import type { NotificationsDb } from "./data.ts";
import { cancellationMessage, confirmationMessage, record } from "./domain/messages.ts";

/**
 * The notifications worker only listens: it was added by subscribing durable consumers to the
 * stream, without any change to the services that publish these events.
 * - consumes `reservation.confirmed` → a confirmation message;
 * - consumes `reservation.cancelled` → a cancellation message.
 */
export function notificationConsumers(db: NotificationsDb): ConsumerOptions<EventType>[] {
  return [
    {
      durable: "notifications_reservation-confirmed",
      type: "reservation.confirmed",
      handle: async (event) => {
        const e = event as EventEnvelope<"reservation.confirmed">;
        await handleOnce(db, "notifications", e, (tx) => record(tx, e, confirmationMessage(e)));
      },
    },
    {
      durable: "notifications_reservation-cancelled",
      type: "reservation.cancelled",
      handle: async (event) => {
        const e = event as EventEnvelope<"reservation.cancelled">;
        await handleOnce(db, "notifications", e, (tx) => record(tx, e, cancellationMessage(e)));
      },
    },
  ];
}
