// Calendar days in a cinema's own time zone (YYYY-MM-DD, the API's LocalDate): "today" is the
// cinema's today, whatever the visitor's clock says.

/** The calendar day of `at` in `timeZone`, as YYYY-MM-DD. */
export function localDate(timeZone: string, at: Date = new Date()): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** `date` plus `days` calendar days (date arithmetic at noon UTC never crosses a day edge). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Today and the six days after it, in the cinema's time zone. */
export function weekFrom(timeZone: string, now: Date = new Date()): string[] {
  const today = localDate(timeZone, now);
  return Array.from({ length: 7 }, (_, i) => addDays(today, i));
}

/** A LocalDate as a Date at its noon UTC, for formatting with timeZone "UTC". */
export const noonOf = (date: string) => new Date(`${date}T12:00:00Z`);

/** A wall-clock time in `timeZone` ("2026-12-24T19:30") as an ISO instant. */
export function zonedIso(wall: string, timeZone: string): string {
  const asUtc = Date.parse(`${wall}:00Z`);
  let at = asUtc - offsetAt(asUtc, timeZone);
  // Once more at the found instant: the offset may differ across a daylight-saving change.
  at = asUtc - offsetAt(at, timeZone);
  return new Date(at).toISOString();
}

/** How far `timeZone`'s wall clock is ahead of UTC at `ms`, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - Math.floor(ms / 1000) * 1000;
}
