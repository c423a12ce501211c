/**
 * Time zones and local days with Intl only (no date library): a cinema's day and hour are its own,
 * not UTC's (movie's programme by day, payment's time rules).
 */

/** One formatter per zone: building one is costly, and a chain has few zones. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The IANA name as Intl spells it (e.g. "asia/seoul" → "Asia/Seoul"), or null when Intl does not know it. */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Whether the IANA zone is known to this runtime's Intl. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** What the zone's wall clock shows at `instant`: the date, the time and the weekday ("MON"…"SUN"). */
export function wallClock(instant: Date | number, timeZone: string) {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return {
    year: +parts.year!,
    month: +parts.month!,
    day: +parts.day!,
    hour: +parts.hour!,
    minute: +parts.minute!,
    second: +parts.second!,
    weekday: String(parts.weekday).toUpperCase(),
  };
}

/** Milliseconds the zone's wall clock is ahead of UTC at `instant`. */
function offsetAt(timeZone: string, instant: number): number {
  const c = wallClock(instant, timeZone);
  const wall = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant the zone's clock shows local midnight of y-m-d (twice corrected, so DST changes land right). */
function localMidnight(timeZone: string, y: number, m: number, d: number): number {
  const wall = Date.UTC(y, m - 1, d);
  const first = wall - offsetAt(timeZone, wall);
  return wall - offsetAt(timeZone, first);
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function parseLocalDate(text: string): { y: number; m: number; d: number } | null {
  const match = LOCAL_DATE.exec(text);
  if (!match) return null;
  const [y, m, d] = [+match[1]!, +match[2]!, +match[3]!];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1970 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return { y, m, d };
}

/** The UTC range [from, to) of one local day in the zone. */
export function localDayRange(date: { y: number; m: number; d: number }, timeZone: string): { from: Date; to: Date } {
  const next = new Date(Date.UTC(date.y, date.m - 1, date.d + 1));
  return {
    from: new Date(localMidnight(timeZone, date.y, date.m, date.d)),
    to: new Date(localMidnight(timeZone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate())),
  };
}
