import { AppError, ErrorCode } from "@cinema/platform/errors";
import { logger } from "@cinema/platform/logger";
import type { ScreeningCatalog } from "./ports.ts";

/** The cutoff when the cinema's own cannot be read (movie unreachable): CGV's, the platform default. */
export const DEFAULT_CANCEL_CUTOFF_MINUTES = 20;
/** The longest cutoff a cinema may set (movie validates it): bookings further out never need to ask. */
const LONGEST_CUTOFF_MINUTES = 1440;

/** Customers may cancel until `cutoffMinutes` before the start. */
export const cancellationDeadline = (startsAt: Date, cutoffMinutes: number) => new Date(startsAt.getTime() - cutoffMinutes * 60_000);

/** The refusal of a customer's cancellation at `now`, or null while it is allowed. */
export function cancellationRefusal(startsAt: Date, cutoffMinutes: number, now = Date.now()): AppError | null {
  const deadline = cancellationDeadline(startsAt, cutoffMinutes);
  if (now < deadline.getTime()) return null;
  const extensions = { cancelCutoffMinutes: cutoffMinutes, deadline: deadline.toISOString(), screeningStartsAt: startsAt.toISOString() };
  const message =
    now >= startsAt.getTime()
      ? "The screening has already started, so this booking can no longer be cancelled."
      : `This cinema accepts cancellations until ${cutoffMinutes} minutes before the start (until ${deadline.toISOString()}); that time has passed. Please ask the cinema's staff.`;
  return new AppError(ErrorCode.CANCELLATION_CLOSED, message, extensions);
}

/**
 * The cinema's cutoff for a screening, from the catalog (cached there). A booking further out
 * than any cutoff does not ask at all; when movie cannot answer, the default applies, so an
 * outage of movie never stops a cancellation.
 */
export async function cancelCutoffFor(catalog: Pick<ScreeningCatalog, "cancelCutoffMinutes">, screeningId: string, startsAt: Date): Promise<number> {
  if (startsAt.getTime() - Date.now() > LONGEST_CUTOFF_MINUTES * 60_000) return DEFAULT_CANCEL_CUTOFF_MINUTES;
  return cinemaCutoff(catalog, screeningId);
}

/** The cutoff of the screening's cinema (the default when movie cannot say), as customers are told it. */
export async function cinemaCutoff(catalog: Pick<ScreeningCatalog, "cancelCutoffMinutes">, screeningId: string): Promise<number> {
  try {
    return (await catalog.cancelCutoffMinutes(screeningId)) ?? DEFAULT_CANCEL_CUTOFF_MINUTES;
  } catch (err) {
    logger.warn({ err: (err as Error).message, screeningId }, "cancellation cutoff unknown; using the default");
    return DEFAULT_CANCEL_CUTOFF_MINUTES;
  }
}
