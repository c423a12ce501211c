import type { DashboardRow, Grouping } from "./figures.ts";

const HEADERS: Record<Grouping, string> = { SCREENING: "screening_id", DAY: "local_day", MOVIE: "movie_id", CINEMA: "cinema_id" };

/** A field as RFC 4180 writes it; a leading = + - @ is prefixed with ' so spreadsheets never run it as a formula. */
function field(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The dashboard as CSV (RFC 4180, CRLF line ends): one line per row, money in minor units with its
 * currency, occupancy as a fraction with four decimals, times in UTC (ISO-8601), days local.
 */
export function dashboardCsv(groupBy: Grouping, rows: DashboardRow[]): string {
  const header = [HEADERS[groupBy], "label", "cinema", "movie", "day", "starts_at_utc", "screenings", "cancelled_screenings", "seats_sold", "seats_for_sale", "occupancy", "bookings", "cancellations", "revenue_minor_units", "currency"];
  const lines = rows.map((r) =>
    [r.key, r.label, r.cinemaName, r.movieTitle, r.day, r.startsAt, r.screenings, r.cancelledScreenings, r.seatsSold, r.seatsForSale, r.occupancy.toFixed(4), r.bookings, r.cancellations, r.revenueCents, r.currency].map(field).join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
