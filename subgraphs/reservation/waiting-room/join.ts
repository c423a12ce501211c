import { placeInLine, type PlaceInLine } from "@cinema/platform/waiting-room";
import type { ReservationDb } from "../data.ts";
import { signPass } from "./pass.ts";
import { asTick } from "./rooms.ts";

/** What a customer in the waiting room is told: their place, and a pass once their turn has come. */
export interface WaitingRoomStatus extends PlaceInLine {
  pass: string | null;
  passExpiresAt: Date | null;
}

interface Joined {
  enabled: boolean;
  ratePerSecond: number;
  passTtlSeconds: number;
  joined: number;
  admitted: number;
  number: number | null;
  passIssuedAt: Date | null;
}

/**
 * Joins the screening's queue, or finds the customer's place in it: one statement either way (the
 * place if there is one, else the next number from the room's counter and a new place). Committed
 * without waiting for the disk (synchronous_commit off for this statement only): the room's row is
 * every joiner's lock, and a join lost to a database crash costs only joining again. A customer
 * whose turn has come gets a pass; one whose turn lapsed (the pass expired unused) goes to the back.
 */
export async function joinWaitingRoom(db: ReservationDb, screeningId: string, customerId: string): Promise<WaitingRoomStatus> {
  // Two joins of one customer at once can both take a number; the loser's number stays unused (a
  // harmless gap) and it reads the winner's place on the next round.
  for (let round = 0; round < 5; round++) {
    const [row] = await db.$queryRaw<Joined[]>`
      WITH relaxed AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true) AS off),
      existing AS (
        SELECT number, pass_issued_at FROM waiting_room_entry WHERE screening_id = ${screeningId}::uuid AND customer_id = ${customerId}
      ), bumped AS (
        UPDATE waiting_room SET joined = joined + 1
         WHERE screening_id = ${screeningId}::uuid AND enabled AND NOT EXISTS (SELECT 1 FROM existing)
        RETURNING joined
      ), inserted AS (
        INSERT INTO waiting_room_entry (screening_id, customer_id, number)
        SELECT ${screeningId}::uuid, ${customerId}, joined FROM bumped
        ON CONFLICT DO NOTHING
        RETURNING number
      )
      SELECT r.enabled, r.rate_per_second AS "ratePerSecond", r.pass_ttl_seconds AS "passTtlSeconds", r.admitted,
             COALESCE((SELECT joined FROM bumped), r.joined) AS joined,
             COALESCE((SELECT number FROM existing), (SELECT number FROM inserted)) AS number,
             (SELECT pass_issued_at FROM existing) AS "passIssuedAt"
        FROM waiting_room r, relaxed WHERE r.screening_id = ${screeningId}::uuid`;
    const closed = { screeningId, enabled: false, ratePerSecond: row?.ratePerSecond ?? 0, joined: 0, admitted: 0 };
    if (!row || !row.enabled) return { ...placeInLine(null, asTick(closed)), pass: null, passExpiresAt: null };
    if (row.number === null) continue;
    const place = placeInLine(row.number, asTick({ screeningId, ...row }));
    if (place.position > 0) return { ...place, pass: null, passExpiresAt: null };
    const issuedAt = row.passIssuedAt ?? (await firstPass(db, screeningId, customerId));
    const expiresAt = new Date(issuedAt.getTime() + row.passTtlSeconds * 1000);
    if (expiresAt.getTime() > Date.now()) {
      return { ...place, pass: await signPass({ customerId, screeningId, number: row.number, expiresAt }), passExpiresAt: expiresAt };
    }
    await toTheBack(db, screeningId, customerId, issuedAt);
  }
  throw new Error("joinWaitingRoom: no stable place after 5 rounds");
}

/** The turn's first pass: its time fixes when every pass of the turn expires. */
async function firstPass(db: ReservationDb, screeningId: string, customerId: string): Promise<Date> {
  const [row] = await db.$queryRaw<{ at: Date }[]>`
    UPDATE waiting_room_entry SET pass_issued_at = COALESCE(pass_issued_at, now())
     WHERE screening_id = ${screeningId}::uuid AND customer_id = ${customerId}
    RETURNING pass_issued_at AS at`;
  if (!row) throw new Error("waiting-room entry vanished");
  return row.at;
}

/** A lapsed turn: a new number at the back of the line (once, even if asked twice at once). */
async function toTheBack(db: ReservationDb, screeningId: string, customerId: string, issuedAt: Date): Promise<void> {
  await db.$executeRaw`
    WITH bumped AS (UPDATE waiting_room SET joined = joined + 1 WHERE screening_id = ${screeningId}::uuid RETURNING joined)
    UPDATE waiting_room_entry e SET number = b.joined, pass_issued_at = NULL, joined_at = now() FROM bumped b
     WHERE e.screening_id = ${screeningId}::uuid AND e.customer_id = ${customerId} AND e.pass_issued_at = ${issuedAt}`;
}
