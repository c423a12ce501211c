import { notFound } from "@cinema/platform/errors";
import type { EventBus } from "@cinema/platform/nats";
import type { ReservationDb } from "../data.ts";
import type { ScreeningCatalog } from "../domain/ports.ts";
import { announce, asTick, type RoomRow } from "./rooms.ts";
import { defaultPassSeconds, defaultRate } from "./settings.ts";
import type { SetWaitingRoomInput } from "./validation.ts";

/**
 * Staff turn a screening's waiting room on or off, or change its rate or pass lifetime. Places in
 * line survive switching off and on again; time spent off never counts as admission time. Every
 * replica and every waiting customer hears the change at once.
 */
export async function setWaitingRoom(deps: { db: ReservationDb; bus: EventBus; catalog: ScreeningCatalog }, input: SetWaitingRoomInput): Promise<RoomRow> {
  if (!(await deps.catalog.screening(input.screeningId))) throw notFound("Screening", input.screeningId);
  const rate = input.ratePerSecond ?? null;
  const ttl = input.passTtlSeconds ?? null;
  const [room] = await deps.db.$queryRaw<RoomRow[]>`
    INSERT INTO waiting_room (screening_id, enabled, rate_per_second, pass_ttl_seconds, advanced_at, updated_at)
    VALUES (${input.screeningId}::uuid, ${input.enabled}, COALESCE(${rate}::float8, ${defaultRate()}::float8), COALESCE(${ttl}::int, ${defaultPassSeconds()}::int), now(), now())
    ON CONFLICT (screening_id) DO UPDATE SET
      enabled = EXCLUDED.enabled,
      rate_per_second = COALESCE(${rate}::float8, waiting_room.rate_per_second),
      pass_ttl_seconds = COALESCE(${ttl}::int, waiting_room.pass_ttl_seconds),
      advanced_at = CASE WHEN waiting_room.enabled THEN waiting_room.advanced_at ELSE now() END,
      updated_at = now()
    RETURNING screening_id::text AS "screeningId", enabled, rate_per_second AS "ratePerSecond", pass_ttl_seconds AS "passTtlSeconds", joined, admitted`;
  announce(deps.bus, asTick(room!));
  return room!;
}
