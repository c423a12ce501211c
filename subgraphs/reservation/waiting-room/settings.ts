import { intEnv } from "@cinema/platform/config";

/**
 * Waiting-room settings (environment; staff set rate and pass lifetime per room):
 * - WAITING_ROOM_RATE (25): passes per second when staff give none; about what one laptop's stack
 *   books per second (BENCHMARKS.md: reserve e2e ≈ 25–30/s), so admitted customers find it responsive.
 * - WAITING_ROOM_PASS_SECONDS (300): how long an admitted turn (and its pass) lasts: choose seats and pay.
 * - WAITING_ROOM_TICK_MS (500): how often admission advances and the room's counters are broadcast.
 * - WAITING_ROOM_CACHE_MS (2000): how long `reserve` trusts what it last read of a room being on
 *   (the room's own broadcasts refresh it sooner, in every replica).
 */
export const defaultRate = () => intEnv("WAITING_ROOM_RATE", 25);
export const defaultPassSeconds = () => intEnv("WAITING_ROOM_PASS_SECONDS", 300);
export const tickMs = () => intEnv("WAITING_ROOM_TICK_MS", 500);
export const cacheMs = () => intEnv("WAITING_ROOM_CACHE_MS", 2000);
