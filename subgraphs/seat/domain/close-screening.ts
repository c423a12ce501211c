import { AppError, ErrorCode } from "@cinema/platform/errors";
import type { SeatDb } from "../data.ts";

type Tx = Parameters<Parameters<SeatDb["$transaction"]>[0]>[0];

/**
 * Staff called the screening off: every seat becomes BLOCKED (which no hold takes) and stays so,
 * sold and held ones included — their bookings are being cancelled and refunded, and the refunds'
 * seat release then finds nothing left to give back. Rows are locked in seat-map order like a hold,
 * so this cannot deadlock with one; a hold in flight loses its seats and its booking fails.
 * Returns the seats that changed (for the live seat map). Repeating it changes nothing.
 */
export async function closeScreening(tx: Tx, screeningId: string): Promise<string[]> {
  const inventory = await tx.screeningInventory.findUnique({ where: { screeningId } });
  // The seat map is built from an event on another subject, which may come later: try again then.
  if (!inventory) throw new Error(`screening ${screeningId} has no seat map yet; its cancellation waits for it`);
  if (!inventory.closedAt) await tx.screeningInventory.update({ where: { screeningId }, data: { closedAt: new Date() } });
  const rows = await tx.$queryRawUnsafe<{ label: string }[]>(
    `WITH open AS (
       SELECT screening_id, label FROM seat WHERE screening_id = $1::uuid AND status <> 'BLOCKED' ORDER BY position FOR UPDATE
     )
     UPDATE seat s SET status = 'BLOCKED', reservation_id = NULL, hold_expires_at = NULL, updated_at = now()
       FROM open WHERE s.screening_id = open.screening_id AND s.label = open.label
     RETURNING s.label`,
    screeningId,
  );
  return rows.map((r) => r.label);
}

/** Staff cannot reopen seats of a screening they called off. */
export async function refuseIfClosed(db: SeatDb, screeningId: string): Promise<void> {
  const inventory = await db.screeningInventory.findUnique({ where: { screeningId }, select: { closedAt: true } });
  if (inventory?.closedAt) throw new AppError(ErrorCode.CONFLICT, "This screening was cancelled; its seats stay closed.");
}
