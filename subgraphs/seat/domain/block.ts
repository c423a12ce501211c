import { AppError, ErrorCode, badInput, notFound } from "@cinema/platform/errors";
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
 * alone could never be sold.
 */
export async function setSeatsBlocked(db: SeatDb, screeningId: string, labels: string[], blocked: boolean): Promise<BlockOutcome> {
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
  return { changed: verdict?.changed ?? [] };
}
