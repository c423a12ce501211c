import { AppError, ErrorCode, badInput, notFound } from "@cinema/platform/errors";
import { createEvent } from "@cinema/platform/events";
import { enqueueEvents, type RawSql } from "@cinema/platform/outbox";
import type { SeatDb } from "../data.ts";
import { FREE } from "./holds.ts";

export interface BlockOutcome {
  /** The seats whose status changed (for the live seat map). */
  changed: string[];
}

/**
 * Staff block seats of one screening from sale, or open them again; all or nothing, in one
 * statement that locks the rows in seat-map order like a hold does (so it cannot deadlock with
 * holds, and a hold cannot slip in between the check and the change). A sold seat or one under an
 * unexpired hold cannot be blocked; blocking a blocked seat or unblocking an open one changes
 * nothing. An expired hold that is blocked is gone: its booking's confirm then fails as it would
 * if someone else had taken the seat. A couple seat is blocked and opened with its partner: one
 * alone could never be sold. A change is published as `seat.seats-blocked` (the seats for sale now,
 * versioned per screening: the screening's row is locked first, so two changes at once count in
 * turn) for the dashboard.
 */
export async function setSeatsBlocked(db: SeatDb, screeningId: string, labels: string[], blocked: boolean): Promise<BlockOutcome> {
  return db.$transaction((tx) => blockInTransaction(tx, screeningId, labels, blocked));
}

async function blockInTransaction(db: RawSql & Pick<SeatDb, "screeningInventory">, screeningId: string, labels: string[], blocked: boolean): Promise<BlockOutcome> {
  await db.$queryRawUnsafe(`SELECT 1 FROM screening_inventory WHERE screening_id = $1::uuid FOR UPDATE`, screeningId);
  const [verdict] = await db.$queryRawUnsafe<{ found: string[]; busy: string[]; changed: string[] }[]>(
    `WITH wanted AS (
       SELECT screening_id, label, status, hold_expires_at FROM seat
        WHERE screening_id = $1::uuid AND (label = ANY($2::text[]) OR (seat_class = 'COUPLE' AND pair_label = ANY($2::text[])))
        ORDER BY position
          FOR UPDATE
     ), verdict AS (
       SELECT count(*) FILTER (WHERE label = ANY($2::text[])) = $3 AND ($4::boolean IS FALSE OR coalesce(bool_and(${FREE} OR status = 'BLOCKED'), true)) AS ok FROM wanted
     ), changed AS (
       UPDATE seat s
          SET status = CASE WHEN $4::boolean THEN 'BLOCKED'::"SeatStatus" ELSE 'AVAILABLE'::"SeatStatus" END,
              reservation_id = NULL, hold_expires_at = NULL, updated_at = now()
         FROM wanted, verdict
        WHERE verdict.ok AND s.screening_id = wanted.screening_id AND s.label = wanted.label
          AND (CASE WHEN $4::boolean THEN wanted.status <> 'BLOCKED' ELSE wanted.status = 'BLOCKED' END)
       RETURNING s.label
     )
     SELECT coalesce((SELECT array_agg(label) FROM wanted), '{}') AS found,
            coalesce((SELECT array_agg(label) FROM wanted WHERE NOT (${FREE} OR status = 'BLOCKED')), '{}') AS busy,
            coalesce((SELECT array_agg(label) FROM changed), '{}') AS changed`,
    screeningId,
    labels,
    labels.length,
    blocked,
  );
  const found = new Set(verdict?.found ?? []);
  const unknown = labels.filter((label) => !found.has(label));
  if (unknown.length === labels.length && !(await db.screeningInventory.findUnique({ where: { screeningId } }))) {
    throw notFound("Screening", screeningId);
  }
  if (unknown.length) throw badInput("labels", `This screening has no seat ${unknown.join(", ")}.`);
  if (blocked && verdict?.busy.length) {
    const busy = verdict.busy;
    throw new AppError(
      ErrorCode.CONFLICT,
      `${busy.join(", ")} ${busy.length === 1 ? "is" : "are"} sold or being paid for and cannot be blocked; nothing was changed.`,
      { seats: busy },
    );
  }
  const changed = verdict?.changed ?? [];
  if (changed.length) {
    const [counted] = await db.$queryRawUnsafe<{ version: number; forSale: number }[]>(
      `UPDATE screening_inventory SET blocks_version = blocks_version + 1 WHERE screening_id = $1::uuid
       RETURNING blocks_version AS version, (SELECT count(*)::int FROM seat WHERE screening_id = $1::uuid AND status <> 'BLOCKED') AS "forSale"`,
      screeningId,
    );
    await enqueueEvents(db, createEvent("seat.seats-blocked", screeningId, { screeningId, labels: changed, blocked, forSale: counted!.forSale }, counted!.version));
  }
  return { changed };
}
