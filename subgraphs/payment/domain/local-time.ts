import type { Weekday } from "./price-rules.ts";

const formats = new Map<string, Intl.DateTimeFormat>();
/** One formatter per zone: building one is costly, and quotes for a programme reuse few zones. */
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formats.set(timeZone, format);
  }
  return format;
}

/** Whether the IANA zone is known to this runtime's Intl. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The weekday and minutes since local midnight of an instant, on the wall clock of `timeZone`. */
export function localTime(instant: Date, timeZone: string): { weekday: Weekday; minutes: number } {
  const parts = Object.fromEntries(formatFor(timeZone).formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    weekday: String(parts.weekday).toUpperCase() as Weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** "HH:MM" (00:00–24:00) → minutes since midnight. */
export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
