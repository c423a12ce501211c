// The staff dashboard's operations (mypage's dashboard read model; staff only).
import { gql } from "urql";

export type Grouping = "SCREENING" | "DAY" | "MOVIE" | "CINEMA";
export const GROUPINGS: Grouping[] = ["SCREENING", "DAY", "MOVIE", "CINEMA"];

export interface DashboardRow {
  key: string;
  label: string;
  cinemaName: string | null;
  movieTitle: string | null;
  day: string | null;
  startsAt: string | null;
  screenings: number;
  /** Called off by staff: none of their seats is for sale or sold. */
  cancelledScreenings: number;
  seatsSold: number;
  seatsForSale: number;
  occupancy: number;
  bookings: number;
  cancellations: number;
  revenueCents: number;
  currency: string;
}

const ROW = `key label cinemaName movieTitle day startsAt screenings cancelledScreenings seatsSold seatsForSale occupancy bookings cancellations revenueCents currency`;

export const DASHBOARD = gql<{ dashboard: { groupBy: Grouping; rows: DashboardRow[]; totals: DashboardRow[] } }, { groupBy: Grouping; cinemaId: string | null }>`
  query Dashboard($groupBy: DashboardGrouping!, $cinemaId: ID) {
    dashboard(groupBy: $groupBy, cinemaId: $cinemaId) { groupBy rows { ${ROW} } totals { ${ROW} } }
  }
`;

export const DASHBOARD_CSV = gql<{ dashboardCsv: string }, { groupBy: Grouping; cinemaId: string | null }>`
  query DashboardCsv($groupBy: DashboardGrouping!, $cinemaId: ID) { dashboardCsv(groupBy: $groupBy, cinemaId: $cinemaId) }
`;

export const DASHBOARD_CHANGED = gql<{ dashboardChanged: { screeningIds: string[]; at: string } }>`
  subscription DashboardChanged { dashboardChanged { screeningIds at } }
`;

export const DASHBOARD_CINEMAS = gql<{ cinemas: { id: string; name: string }[] }>`
  query DashboardCinemas { cinemas { id name } }
`;
