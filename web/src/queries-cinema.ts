// Cinemas, their programme by day, layouts and price rules (docs/cinema-chain.md "GraphQL").
import { gql } from "urql";
import type { CinemaRef, Movie, PlacedSeat, ScreeningSummary, Seat, SeatClass, TicketType } from "./queries.ts";

export interface Cinema extends CinemaRef {
  address: string;
}
export const CINEMAS = gql<{ cinemas: Cinema[] }>`
  query Cinemas { cinemas { id name address timeZone maxSeatsPerBooking } }
`;

export interface ProgrammeScreening extends ScreeningSummary {
  movie: Pick<Movie, "id" | "title" | "summary" | "runtimeMinutes" | "rating">;
}
export const PROGRAMME = gql<
  { cinema: (Cinema & { screenings: ProgrammeScreening[] }) | null },
  { id: string; date: string }
>`
  query Programme($id: ID!, $date: LocalDate!) {
    cinema(id: $id) {
      id name address timeZone maxSeatsPerBooking
      screenings(date: $date) {
        id startsAt priceCents currency availableSeatCount onSale status cancelReason auditorium { id name capacity }
        movie { id title summary runtimeMinutes rating }
      }
    }
  }
`;

export interface LayoutSeat extends PlacedSeat {
  blocked: boolean;
}
export interface LayoutError {
  line: number;
  row: string | null;
  column: number;
  message: string;
}
export interface LayoutPreview {
  seats: LayoutSeat[];
  gridRows: number;
  gridColumns: number;
  capacity: number;
  errors: LayoutError[];
}
export const PREVIEW_LAYOUT = gql<{ previewLayout: LayoutPreview }, { layout: string }>`
  query PreviewLayout($layout: String!) {
    previewLayout(layout: $layout) {
      seats { label row number gridRow gridColumn seatClass pairLabel blocked }
      gridRows gridColumns capacity
      errors { line row column message }
    }
  }
`;

export const UPDATE_CINEMA = gql<
  { updateCinema: Cinema },
  { id: string; input: { name?: string | null; address?: string | null; timeZone?: string | null; maxSeatsPerBooking?: number | null; cancelCutoffMinutes?: number | null } }
>`
  mutation UpdateCinema($id: ID!, $input: UpdateCinemaInput!) {
    updateCinema(id: $id, input: $input) { id name address timeZone maxSeatsPerBooking cancelCutoffMinutes }
  }
`;

export type Weekday = "MON" | "TUE" | "WED" | "THU" | "FRI" | "SAT" | "SUN";
export const WEEKDAYS: readonly Weekday[] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
export interface TimeRule {
  label: string;
  days: Weekday[];
  from: string;
  until: string;
  amountCents: number;
}
export interface PriceRules {
  cinemaId: string;
  currency: string;
  seatClasses: { seatClass: SeatClass; surchargeCents: number }[];
  ticketTypes: { ticketType: TicketType; discountCents: number }[];
  timeRules: TimeRule[];
  updatedAt: string | null;
}
const PRICE_RULES_FIELDS = `
  cinemaId currency updatedAt
  seatClasses { seatClass surchargeCents }
  ticketTypes { ticketType discountCents }
  timeRules { label days from until amountCents }
`;
export const PRICE_RULES = gql<{ cinema: { id: string; priceRules: PriceRules } | null }, { id: string }>`
  query PriceRules($id: ID!) { cinema(id: $id) { id priceRules { ${PRICE_RULES_FIELDS} } } }
`;
export type PriceRulesInput = Omit<PriceRules, "updatedAt">;
export const SET_PRICE_RULES = gql<{ setPriceRules: PriceRules }, { input: PriceRulesInput }>`
  mutation SetPriceRules($input: PriceRulesInput!) { setPriceRules(input: $input) { ${PRICE_RULES_FIELDS} } }
`;

export const SET_SEATS_BLOCKED = gql<
  { setSeatsBlocked: Pick<Seat, "label" | "status">[] },
  { screeningId: string; labels: string[]; blocked: boolean }
>`
  mutation SetSeatsBlocked($screeningId: ID!, $labels: [String!]!, $blocked: Boolean!) {
    setSeatsBlocked(screeningId: $screeningId, labels: $labels, blocked: $blocked) { label status }
  }
`;
