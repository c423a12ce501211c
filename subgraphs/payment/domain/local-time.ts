import { wallClock } from "@cinema/platform/time-zone";
import type { Weekday } from "./price-rules.ts";

/** The weekday and minutes since local midnight of an instant, on the wall clock of `timeZone`. */
export function localTime(instant: Date, timeZone: string): { weekday: Weekday; minutes: number } {
  const clock = wallClock(instant, timeZone);
  return { weekday: clock.weekday as Weekday, minutes: clock.hour * 60 + clock.minute };
}

/** "HH:MM" (00:00–24:00) → minutes since midnight. */
export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
