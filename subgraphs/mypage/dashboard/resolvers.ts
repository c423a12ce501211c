import { requireAdmin } from "@cinema/platform/auth";
import { badInput } from "@cinema/platform/errors";
import { parseLocalDate } from "@cinema/platform/time-zone";
import type { MypageContext } from "../resolvers.ts";
import { dashboardCsv } from "./csv.ts";
import { dashboardFigures, type DashboardFilter, type DashboardRow, type Grouping } from "./figures.ts";

type Args = { groupBy: Grouping; cinemaId?: string | null; from?: string | null; to?: string | null };

/** Staff only; the filter's days are real dates, the cinema an id of at most 100 characters. */
function filterOf(args: Args): DashboardFilter {
  for (const name of ["from", "to"] as const) {
    const day = args[name];
    if (day != null && !parseLocalDate(day)) throw badInput(name, `${name}: must be a date written YYYY-MM-DD`);
  }
  if (args.from && args.to && args.from > args.to) throw badInput("to", "to: must not be before from");
  if (args.cinemaId != null && (args.cinemaId.length === 0 || args.cinemaId.length > 100)) throw badInput("cinemaId", "cinemaId: not a cinema id");
  return { cinemaId: args.cinemaId, from: args.from, to: args.to };
}

/** The rows added up, one total per currency. */
function totalsOf(rows: DashboardRow[]): DashboardRow[] {
  const byCurrency = new Map<string, DashboardRow>();
  for (const r of rows) {
    const t = byCurrency.get(r.currency) ?? { key: r.currency, label: "Total", cinemaName: null, movieTitle: null, day: null, startsAt: null, screenings: 0, cancelledScreenings: 0, seatsSold: 0, seatsForSale: 0, occupancy: 0, bookings: 0, cancellations: 0, revenueCents: 0, currency: r.currency };
    t.screenings += r.screenings;
    t.cancelledScreenings += r.cancelledScreenings;
    t.seatsSold += r.seatsSold;
    t.seatsForSale += r.seatsForSale;
    t.bookings += r.bookings;
    t.cancellations += r.cancellations;
    t.revenueCents += r.revenueCents;
    t.occupancy = t.seatsForSale > 0 ? t.seatsSold / t.seatsForSale : 0;
    byCurrency.set(r.currency, t);
  }
  return [...byCurrency.values()];
}

export const dashboardResolvers = {
  Query: {
    dashboard: async (_: unknown, args: Args, { viewer, db }: MypageContext) => {
      requireAdmin(viewer);
      const rows = await dashboardFigures(db, args.groupBy, filterOf(args));
      return { groupBy: args.groupBy, rows, totals: totalsOf(rows) };
    },
    dashboardCsv: async (_: unknown, args: Args, { viewer, db }: MypageContext) => {
      requireAdmin(viewer);
      return dashboardCsv(args.groupBy, await dashboardFigures(db, args.groupBy, filterOf(args)));
    },
  },
};
