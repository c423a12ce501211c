import { AppError, ErrorCode, notFound } from "@cinema/platform/errors";
import { isUniqueViolation } from "@cinema/platform/db";
import type { MovieDb } from "../data.ts";

interface CinemaFields {
  name?: string | null;
  address?: string | null;
  timeZone?: string | null;
  maxSeatsPerBooking?: number | null;
  cancelCutoffMinutes?: number | null;
}

/** Cinema names are unique in the chain: a second one is refused naming the field. */
async function uniqueName<T>(name: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError(ErrorCode.BAD_USER_INPUT, `A cinema named "${name}" already exists.`, { field: "input.name" });
    throw err;
  }
}

export function createCinema(db: MovieDb, input: { name: string; address: string; timeZone: string; maxSeatsPerBooking: number; cancelCutoffMinutes: number }) {
  return uniqueName(input.name, () => db.cinema.create({ data: input }));
}

/** Only the fields given change. */
export async function updateCinema(db: MovieDb, id: string, input: CinemaFields) {
  const data = Object.fromEntries(Object.entries(input).filter(([, v]) => v != null));
  const existing = await db.cinema.findUnique({ where: { id } });
  if (!existing) throw notFound("Cinema", id);
  if (Object.keys(data).length === 0) return existing;
  return uniqueName(input.name, () => db.cinema.update({ where: { id }, data }));
}
