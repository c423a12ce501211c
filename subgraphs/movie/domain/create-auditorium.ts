import { AppError, ErrorCode, notFound } from "@cinema/platform/errors";
import { isUniqueViolation } from "@cinema/platform/db";
import type { MovieDb } from "../data.ts";
import { rectangleLayout } from "./layout.ts";
import { layoutToSave } from "./auditorium-layout.ts";

export interface CreateAuditorium {
  cinemaId?: string | null;
  name: string;
  layout?: string | null;
  rows?: number | null;
  seatsPerRow?: number | null;
}

/** A hall of a cinema (the first cinema when none is named), drawn by its layout or the legacy rectangle. */
export async function createAuditorium(db: MovieDb, input: CreateAuditorium) {
  const saved = layoutToSave(input.layout ?? rectangleLayout(input.rows!, input.seatsPerRow!));
  const cinema = input.cinemaId
    ? await db.cinema.findUnique({ where: { id: input.cinemaId } })
    : await db.cinema.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  if (!cinema) throw input.cinemaId ? notFound("Cinema", input.cinemaId) : notFound("A cinema to put the auditorium in");
  try {
    return await db.auditorium.create({
      data: { cinemaId: cinema.id, name: input.name, layout: saved.layout, rows: saved.rows, seatsPerRow: saved.seatsPerRow },
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `${cinema.name} already has an auditorium named "${input.name}".`, { field: "input.name" });
    }
    throw err;
  }
}
