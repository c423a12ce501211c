import { notFound } from "@cinema/platform/errors";
import type { MovieDb } from "../data.ts";
import { layoutToSave } from "./auditorium-layout.ts";

/**
 * Redraws a hall. Screenings scheduled from now on are built from the new layout; those already
 * scheduled keep the seats their screening-scheduled event carried (the seat subgraph owns them).
 */
export async function updateAuditoriumLayout(db: MovieDb, id: string, layout: string) {
  const saved = layoutToSave(layout, "layout");
  const existing = await db.auditorium.findUnique({ where: { id }, select: { id: true } });
  if (!existing) throw notFound("Auditorium", id);
  return db.auditorium.update({ where: { id }, data: { layout: saved.layout, rows: saved.rows, seatsPerRow: saved.seatsPerRow } });
}
