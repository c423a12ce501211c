import { Prisma } from "../generated/prisma/client.ts";
import type { MypageDb } from "../data.ts";

export type Grouping = "SCREENING" | "DAY" | "MOVIE" | "CINEMA";
export interface DashboardFilter {
  cinemaId?: string | null;
  /** Local days (YYYY-MM-DD, each screening's own cinema's day), inclusive. */
  from?: string | null;
  to?: string | null;
}

/** One line of the dashboard: a screening, a local day, a movie or a cinema, in one currency. */
export interface DashboardRow {
  key: string;
  label: string;
  cinemaName: string | null;
  movieTitle: string | null;
  day: string | null;
  startsAt: string | null;
  screenings: number;
  /** Screenings called off by staff: their seats are neither for sale nor sold. */
  cancelledScreenings: number;
  seatsSold: number;
  seatsForSale: number;
  /** seatsSold / seatsForSale (0 when nothing is for sale). */
  occupancy: number;
  bookings: number;
  cancellations: number;
  /** Money kept, in minor units: captured minus refunded. */
  revenueCents: number;
  currency: string;
}

/** What each grouping groups by, names the row by, and orders by. */
const GROUPINGS: Record<Grouping, { key: Prisma.Sql; label: Prisma.Sql; cinema: Prisma.Sql; movie: Prisma.Sql; day: Prisma.Sql; startsAt: Prisma.Sql; order: Prisma.Sql }> = {
  SCREENING: {
    key: Prisma.sql`s."screening_id"::text`,
    label: Prisma.sql`min(s."movie_title") || ' · ' || min(s."auditorium_name")`,
    cinema: Prisma.sql`min(s."cinema_name")`,
    movie: Prisma.sql`min(s."movie_title")`,
    day: Prisma.sql`min(s."local_day")`,
    startsAt: Prisma.sql`min(s."starts_at")`,
    order: Prisma.sql`min(s."starts_at"), 1`,
  },
  DAY: {
    key: Prisma.sql`s."local_day"`,
    label: Prisma.sql`s."local_day"`,
    cinema: Prisma.sql`NULL::text`,
    movie: Prisma.sql`NULL::text`,
    day: Prisma.sql`s."local_day"`,
    startsAt: Prisma.sql`NULL::timestamptz`,
    order: Prisma.sql`1`,
  },
  MOVIE: {
    key: Prisma.sql`s."movie_id"`,
    label: Prisma.sql`min(s."movie_title")`,
    cinema: Prisma.sql`NULL::text`,
    movie: Prisma.sql`min(s."movie_title")`,
    day: Prisma.sql`NULL::text`,
    startsAt: Prisma.sql`NULL::timestamptz`,
    order: Prisma.sql`2, 1`,
  },
  CINEMA: {
    key: Prisma.sql`coalesce(s."cinema_id", '')`,
    label: Prisma.sql`coalesce(min(s."cinema_name"), '—')`,
    cinema: Prisma.sql`min(s."cinema_name")`,
    movie: Prisma.sql`NULL::text`,
    day: Prisma.sql`NULL::text`,
    startsAt: Prisma.sql`NULL::timestamptz`,
    order: Prisma.sql`2, 1`,
  },
};

/**
 * The figures by `groupBy`, in one statement over the dashboard's own tables: each screening's
 * bookings summed first (a booking's seats count as sold until it, or that seat, is cancelled; its
 * money until it is refunded), then the screenings grouped, each currency apart (amounts in
 * different currencies are never added up). Screenings without bookings count with their seats for
 * sale; a screening staff called off has none for sale and none sold (its bookings are being
 * cancelled), and keeps only the money not refunded yet.
 */
export async function dashboardFigures(db: MypageDb, groupBy: Grouping, filter: DashboardFilter = {}): Promise<DashboardRow[]> {
  const g = GROUPINGS[groupBy];
  const where = [
    // A row only a cancellation has written so far waits for the screening's own event.
    Prisma.sql`s."scheduled"`,
    filter.cinemaId ? Prisma.sql`s."cinema_id" = ${filter.cinemaId}` : Prisma.empty,
    filter.from ? Prisma.sql`s."local_day" >= ${filter.from}` : Prisma.empty,
    filter.to ? Prisma.sql`s."local_day" <= ${filter.to}` : Prisma.empty,
  ].filter((c) => c !== Prisma.empty);
  const rows = await db.$queryRaw<
    { key: string; label: string; cinema_name: string | null; movie_title: string | null; day: string | null; starts_at: Date | null; screenings: number; cancelled_screenings: number; seats_sold: bigint; seats_for_sale: bigint; bookings: bigint; cancellations: bigint; revenue: bigint; currency: string }[]
  >`
    WITH sold AS (
      SELECT "screening_id",
             sum(CASE WHEN NOT "cancelled" THEN greatest(0, "seat_count" - coalesce(cardinality("cancelled_seats"), 0)) ELSE 0 END) AS seats_sold,
             count(*) AS bookings,
             count(*) FILTER (WHERE "cancelled") AS cancellations,
             sum("amount_cents" - "refunded_cents" - "partial_refunded_cents") AS revenue
        FROM "dashboard_booking" WHERE "confirmed" GROUP BY "screening_id"
    )
    SELECT ${g.key} AS key, ${g.label} AS label, ${g.cinema} AS cinema_name, ${g.movie} AS movie_title, ${g.day} AS day, ${g.startsAt} AS starts_at,
           count(*)::int AS screenings, (count(*) FILTER (WHERE s."cancelled_at" IS NOT NULL))::int AS cancelled_screenings,
           coalesce(sum(CASE WHEN s."cancelled_at" IS NULL THEN b.seats_sold ELSE 0 END), 0)::bigint AS seats_sold,
           sum(CASE WHEN s."cancelled_at" IS NULL THEN s."seats_for_sale" ELSE 0 END)::bigint AS seats_for_sale,
           coalesce(sum(b.bookings), 0)::bigint AS bookings, coalesce(sum(b.cancellations), 0)::bigint AS cancellations,
           coalesce(sum(b.revenue), 0)::bigint AS revenue, s."currency" AS currency
      FROM "dashboard_screening" s LEFT JOIN sold b ON b."screening_id" = s."screening_id"
     ${where.length ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
     GROUP BY ${g.key}, s."currency"
     ORDER BY ${g.order}, s."currency"`;
  return rows.map((r) => {
    const seatsSold = Number(r.seats_sold);
    const seatsForSale = Number(r.seats_for_sale);
    return {
      key: r.key,
      label: r.label,
      cinemaName: r.cinema_name,
      movieTitle: r.movie_title,
      day: r.day,
      startsAt: r.starts_at?.toISOString() ?? null,
      screenings: r.screenings,
      cancelledScreenings: r.cancelled_screenings,
      seatsSold,
      seatsForSale,
      occupancy: seatsForSale > 0 ? seatsSold / seatsForSale : 0,
      bookings: Number(r.bookings),
      cancellations: Number(r.cancellations),
      revenueCents: Number(r.revenue),
      currency: r.currency,
    };
  });
}
