import DataLoader from "dataloader";
import { z } from "zod";
import { requireAdmin, requireService } from "@cinema/platform/auth";
import type { SeatClass } from "@cinema/platform/events";
import type { RequestContext } from "@cinema/platform/server";
import { idSchema, isId, parseInput, seatLabelSchema } from "@cinema/platform/validation";
import type { SeatDb } from "./data.ts";
import type { EventBus } from "@cinema/platform/nats";
import type { OutboxRelay } from "@cinema/platform/outbox";
import { FREE, confirmSeats, holdSeats, releaseSeats } from "./domain/holds.ts";
import { announceSeats } from "./domain/live.ts";
import { setSeatsBlocked } from "./domain/block.ts";
import { refuseIfClosed } from "./domain/close-screening.ts";

export interface SeatContext extends RequestContext {
  db: SeatDb;
  bus: EventBus;
  /** Relays what a staff change wrote to the outbox (seat.seats-blocked) at once. */
  relay: OutboxRelay;
  loaders: ReturnType<typeof createLoaders>;
}

interface SeatRow {
  label: string;
  row: string;
  number: number;
  status: "AVAILABLE" | "HELD" | "SOLD" | "BLOCKED";
  seatClass: SeatClass;
  gridRow: number;
  gridColumn: number;
  pairLabel: string | null;
  expired: boolean;
}

/** A seat as the API shows it: a hold that ran out is AVAILABLE. */
const shown = ({ expired, ...seat }: SeatRow) => ({ ...seat, status: expired ? "AVAILABLE" : seat.status });

/** Per-request batching: seat maps and counts of many screenings in one query each. */
export function createLoaders(db: SeatDb) {
  return {
    seats: new DataLoader<string, SeatRow[]>(async (ids) => {
      const rows = await db.$queryRawUnsafe<(SeatRow & { screening_id: string })[]>(
        `SELECT screening_id::text, label, "row", number, status::text, seat_class::text AS "seatClass", grid_row AS "gridRow",
                grid_column AS "gridColumn", pair_label AS "pairLabel", (status = 'HELD' AND hold_expires_at < now()) AS expired
           FROM seat WHERE screening_id = ANY($1::uuid[]) ORDER BY screening_id, position`,
        ids.filter(isId),
      );
      return ids.map((id) => rows.filter((r) => r.screening_id === id));
    }),
    available: new DataLoader<string, number>(async (ids) => {
      const rows = await db.$queryRawUnsafe<{ screening_id: string; n: bigint }[]>(
        `SELECT screening_id::text, count(*) FILTER (WHERE ${FREE}) AS n FROM seat WHERE screening_id = ANY($1::uuid[]) GROUP BY screening_id`,
        ids.filter(isId),
      );
      const counts = new Map(rows.map((r) => [r.screening_id, Number(r.n)]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  };
}

const holdInput = z.object({
  reservationId: idSchema,
  screeningId: idSchema,
  labels: z.array(seatLabelSchema).min(1).max(50),
});

const blockInput = z.object({
  screeningId: idSchema,
  labels: z.array(seatLabelSchema).min(1).max(200),
  blocked: z.boolean(),
});

const confirmInput = z.object({ reservationId: idSchema, count: z.number().int().min(1).max(50) });

export const resolvers = {
  Screening: {
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    seats: async ({ id }: { id: string }, _: unknown, { loaders }: SeatContext) =>
      (await loaders.seats.load(id)).map(shown),
    availableSeatCount: ({ id }: { id: string }, _: unknown, { loaders }: SeatContext) => loaders.available.load(id),
  },
  Mutation: {
    setSeatsBlocked: async (_: unknown, args: unknown, { viewer, db, bus, relay, loaders }: SeatContext) => {
      requireAdmin(viewer);
      const { screeningId, labels, blocked } = parseInput(blockInput, args, "args");
      const wanted = [...new Set(labels)];
      await refuseIfClosed(db, screeningId);
      const { changed } = await setSeatsBlocked(db, screeningId, wanted, blocked);
      if (changed.length) void relay.kick();
      announceSeats(db, bus, screeningId, changed);
      const seats = await loaders.seats.load(screeningId);
      // The seats asked for, and the partners of couple seats among them (blocked or opened with them).
      return seats.filter((seat) => wanted.includes(seat.label) || changed.includes(seat.label)).map(shown);
    },
    holdSeats: async (_: unknown, args: unknown, { viewer, db, bus }: SeatContext) => {
      requireService(viewer);
      const { reservationId, screeningId, labels } = parseInput(holdInput, args, "args");
      const held = await holdSeats(db, reservationId, screeningId, [...new Set(labels)]);
      announceSeats(db, bus, screeningId, held.map((seat) => seat.label));
      return held;
    },
    confirmSeats: async (_: unknown, args: { reservationId: string; count: number }, { viewer, db, bus }: SeatContext) => {
      requireService(viewer);
      const { reservationId, count } = parseInput(confirmInput, args, "args");
      const sold = await confirmSeats(db, reservationId, count);
      announceSeats(db, bus, sold.screeningId, sold.labels);
      return sold.labels;
    },
    releaseSeats: async (_: unknown, args: { reservationId: string }, { viewer, db, bus }: SeatContext) => {
      requireService(viewer);
      // Compensation of a booking that failed: whatever it holds or (after a late failure) bought.
      const released = await releaseSeats(db, parseInput(idSchema, args.reservationId, "reservationId"), ["HELD", "SOLD"]);
      if (released.screeningId) announceSeats(db, bus, released.screeningId, released.labels);
      return released.labels.length;
    },
  },
};
