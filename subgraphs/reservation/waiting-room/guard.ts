import { AppError, ErrorCode } from "@cinema/platform/errors";
import type { ReservationDb } from "../data.ts";
import { passRefusal } from "./pass.ts";
import { roomEnabled } from "./rooms.ts";

export const waitingRoomRequired = () =>
  new AppError(
    ErrorCode.WAITING_ROOM_REQUIRED,
    "접속자가 많아 기다리셔야 합니다. Many customers right now — please wait: join the waiting room (joinWaitingRoom) for a pass to choose seats.",
  );

/**
 * What `reserve` checks before anything else for a screening whose waiting room is on: a valid pass
 * of this customer for this screening (verified by its signature, no lookup). A repeat of a booking
 * already recorded under the same idempotency key is let through to get its first outcome, even if
 * the pass lapsed since.
 */
export async function requirePass(
  db: ReservationDb,
  customerId: string,
  input: { screeningId: string; idempotencyKey: string; pass?: string | null },
): Promise<void> {
  if (!(await roomEnabled(db, input.screeningId))) return;
  const refusal = input.pass ? await passRefusal(input.pass, customerId, input.screeningId) : waitingRoomRequired();
  if (!refusal) return;
  const first = await db.reservation.findUnique({
    where: { customerId_idempotencyKey: { customerId, idempotencyKey: input.idempotencyKey } },
    select: { id: true },
  });
  if (!first) throw refusal;
}
