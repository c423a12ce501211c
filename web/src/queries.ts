// The operations the app sends, with the shapes it reads back (hand-written: the app uses a small
// part of the schema, see subgraphs/*/schema.graphql).
import { gql } from "urql";

export type SeatStatus = "AVAILABLE" | "HELD" | "SOLD" | "BLOCKED";
export type SeatClass = "STANDARD" | "PREMIUM" | "COUPLE" | "WHEELCHAIR" | "COMPANION";
export type TicketType = "ADULT" | "YOUTH" | "SENIOR" | "DISABLED";
export const SEAT_CLASSES: readonly SeatClass[] = ["STANDARD", "PREMIUM", "COUPLE", "WHEELCHAIR", "COMPANION"];
export const TICKET_TYPES: readonly TicketType[] = ["ADULT", "YOUTH", "SENIOR", "DISABLED"];
/** Where a seat is drawn and what it is (the layout's seat, from movie or seat). */
export interface PlacedSeat {
  label: string;
  row: string;
  number: number;
  seatClass: SeatClass;
  /** 1-based place in the drawing, counting aisles and gaps. */
  gridRow: number;
  gridColumn: number;
  /** The seat sold only together with this one (couple partner, companion's wheelchair space). */
  pairLabel: string | null;
}
export interface Seat extends PlacedSeat {
  status: SeatStatus;
}
export interface ScreeningSummary {
  id: string;
  startsAt: string;
  priceCents: number;
  currency: string;
  availableSeatCount: number;
  onSale: boolean;
  /** CANCELLED: staff called it off (cancelReason says why); shown, never offered. */
  status: "SCHEDULED" | "CANCELLED";
  cancelReason: string | null;
  auditorium: { id: string; name: string; capacity: number };
  cinema?: { id: string; name: string };
}
export interface Movie {
  id: string;
  title: string;
  summary: string;
  runtimeMinutes: number;
  rating: "ALL" | "AGE_12" | "AGE_15" | "AGE_18";
  screenings: ScreeningSummary[];
}

const SCREENING_SUMMARY = `id startsAt priceCents currency availableSeatCount onSale status cancelReason auditorium { id name capacity } cinema { id name }`;

export const MOVIES = gql<{ movies: Movie[] }>`
  query Movies {
    movies { id title summary runtimeMinutes rating screenings { ${SCREENING_SUMMARY} } }
  }
`;

export interface CinemaRef {
  id: string;
  name: string;
  timeZone: string;
  maxSeatsPerBooking: number;
}
export interface ScreeningDetail extends ScreeningSummary {
  endsAt: string;
  cinema: CinemaRef;
  movie: { id: string; title: string; rating: Movie["rating"]; runtimeMinutes: number };
  auditorium: ScreeningSummary["auditorium"] & { rows: number; seatsPerRow: number };
  seats: Seat[];
}
export const SCREENING = gql<{ screening: ScreeningDetail | null }, { id: string }>`
  query Screening($id: ID!) {
    screening(id: $id) {
      ${SCREENING_SUMMARY} endsAt
      movie { id title rating runtimeMinutes }
      auditorium { rows seatsPerRow }
      cinema { id name timeZone maxSeatsPerBooking }
      seats { label row number status seatClass gridRow gridColumn pairLabel }
    }
  }
`;

export interface SeatMapChange {
  screeningId: string;
  availableSeatCount: number;
  seats: Pick<Seat, "label" | "status">[];
}
export const SEAT_MAP_CHANGED = gql<{ seatMapChanged: SeatMapChange }, { screeningId: string }>`
  subscription SeatMapChanged($screeningId: ID!) {
    seatMapChanged(screeningId: $screeningId) { screeningId availableSeatCount seats { label status } }
  }
`;

export interface ReserveInput {
  screeningId: string;
  /** A ticket type per seat (the older `seats` means ADULT for each). */
  tickets: { seat: string; ticketType: TicketType; voucherCode?: string | null }[];
  /** The total the customer saw: payment refuses (PRICE_CHANGED) if the price differs now. */
  expectedTotalCents?: number | null;
  /** The card; null when gift vouchers pay every seat. */
  paymentToken: string | null;
  idempotencyKey: string;
  /** The waiting-room pass, while the screening's room is on. */
  pass?: string | null;
}
export const RESERVE = gql<{ reserve: { id: string; status: string } }, { input: ReserveInput }>`
  mutation Reserve($input: ReserveInput!) {
    reserve(input: $input) { id status seats amountCents currency }
  }
`;

export interface PriceItem {
  kind: "BASE" | "SEAT_CLASS" | "TIME" | "TICKET_TYPE";
  label: string;
  amountCents: number;
}
export interface BookedSeat {
  seat: string;
  seatClass: SeatClass;
  ticketType: TicketType;
  priceCents: number;
  /** The gift voucher that paid this seat (asked for by my page only). */
  voucherCode?: string | null;
}
export interface PriceLine extends BookedSeat {
  items: PriceItem[];
}
export interface PriceBreakdown {
  currency: string;
  totalCents: number;
  lines: PriceLine[];
}
const BREAKDOWN_FIELDS = `currency totalCents lines { seat seatClass ticketType priceCents voucherCode items { kind label amountCents } }`;

export const PRICE_QUOTE = gql<
  { screening: { id: string; priceQuote: PriceBreakdown } | null },
  { id: string; tickets: { seat: string; seatClass: SeatClass; ticketType: TicketType }[] }
>`
  query PriceQuote($id: ID!, $tickets: [QuoteTicketInput!]!) {
    screening(id: $id) { id priceQuote(tickets: $tickets) { ${BREAKDOWN_FIELDS} } }
  }
`;

export interface Reservation {
  id: string;
  status: "PENDING" | "CONFIRMED" | "CANCELLED" | "FAILED";
  seats: string[];
  amountCents: number | null;
  currency: string | null;
  failureReason: string | null;
  screening: { id: string; startsAt: string; movie: { title: string }; auditorium: { name: string }; cinema: { name: string; timeZone: string } };
  lines: BookedSeat[];
  payment: { status: string; breakdown: PriceBreakdown | null } | null;
  ticket: { code: string; qrSvg: string; status: "ISSUED" | "VOID" } | null;
}
export const RESERVATION = gql<{ reservation: Reservation | null }, { id: string }>`
  query Reservation($id: ID!) {
    reservation(id: $id) {
      id status seats amountCents currency failureReason
      screening { id startsAt movie { title } auditorium { name } cinema { name timeZone } }
      lines { seat seatClass ticketType priceCents voucherCode }
      payment { status breakdown { ${BREAKDOWN_FIELDS} } }
      ticket { code qrSvg status }
    }
  }
`;

export interface MyReservation {
  id: string;
  cinemaName: string | null;
  lines: PriceLine[];
  status: "CONFIRMED" | "CANCELLED" | string;
  paymentStatus: string | null;
  ticketStatus: string | null;
  ticketCode: string | null;
  seatsReleased: boolean;
  movieTitle: string | null;
  auditoriumName: string | null;
  screeningStartsAt: string | null;
  seats: string[];
  amountCents: number;
  currency: string;
  refundedAmountCents: number | null;
  bookedAt: string;
  updatedAt: string;
  history: { at: string; kind: string; description: string }[];
}
const MY_RESERVATION_FIELDS = `
  id status paymentStatus ticketStatus ticketCode seatsReleased movieTitle auditoriumName screeningStartsAt cinemaName
  lines { seat seatClass ticketType priceCents voucherCode items { kind label amountCents } }
  seats amountCents currency refundedAmountCents bookedAt updatedAt history { at kind description }
`;

export const MY_RESERVATIONS = gql<
  { myReservations: { nodes: MyReservation[]; endCursor: string | null; hasNextPage: boolean } },
  { first: number; after?: string | null }
>`
  query MyReservations($first: Int!, $after: String) {
    myReservations(first: $first, after: $after) { nodes { ${MY_RESERVATION_FIELDS} } endCursor hasNextPage }
  }
`;
export const MY_RESERVATION = gql<{ myReservation: MyReservation | null }, { id: string }>`
  query MyReservation($id: ID!) { myReservation(id: $id) { ${MY_RESERVATION_FIELDS} } }
`;
export const RESERVATION_STATUS_CHANGED = gql<{ reservationStatusChanged: MyReservation }, { id: string }>`
  subscription ReservationStatusChanged($id: ID!) { reservationStatusChanged(id: $id) { ${MY_RESERVATION_FIELDS} } }
`;
export const MY_RESERVATIONS_CHANGED = gql<{ myReservationsChanged: MyReservation }>`
  subscription MyReservationsChanged { myReservationsChanged { ${MY_RESERVATION_FIELDS} } }
`;
export const CANCEL = gql<{ cancelReservation: { id: string; status: string } }, { id: string }>`
  mutation Cancel($id: ID!) { cancelReservation(id: $id) { id status } }
`;
export const CANCEL_SEATS = gql<{ cancelSeats: { id: string; status: string; seats: string[]; amountCents: number } }, { id: string; seats: string[] }>`
  mutation CancelSeats($id: ID!, $seats: [String!]!) { cancelSeats(id: $id, seats: $seats) { id status seats amountCents } }
`;

export interface AdminAuditorium {
  id: string;
  name: string;
  rows: number;
  seatsPerRow: number;
  capacity: number;
}
export interface AdminCinema extends CinemaRef {
  address: string;
  /** Customers may cancel until this many minutes before the start. */
  cancelCutoffMinutes: number;
  auditoriums: AdminAuditorium[];
}
export const ADMIN_DATA = gql<{ movies: Movie[]; cinemas: AdminCinema[] }>`
  query AdminData {
    movies { id title summary runtimeMinutes rating screenings { ${SCREENING_SUMMARY} } }
    cinemas { id name address timeZone maxSeatsPerBooking cancelCutoffMinutes auditoriums { id name rows seatsPerRow capacity } }
  }
`;
export const REGISTER_MOVIE = gql<
  { registerMovie: { id: string; title: string } },
  { input: { title: string; summary: string; runtimeMinutes: number; rating: string } }
>`
  mutation RegisterMovie($input: RegisterMovieInput!) { registerMovie(input: $input) { id title } }
`;
export const CREATE_AUDITORIUM = gql<
  { createAuditorium: { id: string; name: string; capacity: number } },
  { input: { cinemaId?: string | null; name: string; layout?: string; rows?: number; seatsPerRow?: number } }
>`
  mutation CreateAuditorium($input: CreateAuditoriumInput!) { createAuditorium(input: $input) { id name capacity } }
`;
export const SCHEDULE_SCREENING = gql<
  { scheduleScreening: { id: string; startsAt: string; movie: { title: string } } },
  { input: { movieId: string; auditoriumId: string; startsAt: string; priceCents: number } }
>`
  mutation ScheduleScreening($input: ScheduleScreeningInput!) {
    scheduleScreening(input: $input) { id startsAt movie { title } }
  }
`;

export interface WaitingRoom {
  screeningId: string;
  enabled: boolean;
  ratePerSecond: number;
  passTtlSeconds: number;
  joined: number;
  admittedUpTo: number;
  waiting: number;
}
const WAITING_ROOM_FIELDS = `screeningId enabled ratePerSecond passTtlSeconds joined admittedUpTo waiting`;
export const WAITING_ROOM = gql<{ waitingRoom: WaitingRoom | null }, { id: string }>`
  query WaitingRoom($id: ID!) { waitingRoom(screeningId: $id) { ${WAITING_ROOM_FIELDS} } }
`;
export const WAITING_ROOMS = gql<{ waitingRooms: WaitingRoom[] }>`
  query WaitingRooms { waitingRooms { ${WAITING_ROOM_FIELDS} } }
`;
export const SET_WAITING_ROOM = gql<
  { setWaitingRoom: WaitingRoom },
  { input: { screeningId: string; enabled: boolean; ratePerSecond?: number | null; passTtlSeconds?: number | null } }
>`
  mutation SetWaitingRoom($input: SetWaitingRoomInput!) { setWaitingRoom(input: $input) { ${WAITING_ROOM_FIELDS} } }
`;

export interface WaitingRoomStatus {
  screeningId: string;
  open: boolean;
  number: number | null;
  position: number;
  admittedUpTo: number;
  waiting: number;
  ratePerSecond: number;
  estimatedWaitSeconds: number;
  pass: string | null;
  passExpiresAt: string | null;
}
export const WAITING_ROOM_STATUS = gql<{ waitingRoom: WaitingRoomStatus }, { screeningId: string }>`
  subscription WaitingRoomStatus($screeningId: ID!) {
    waitingRoom(screeningId: $screeningId) {
      screeningId open number position admittedUpTo waiting ratePerSecond estimatedWaitSeconds pass passExpiresAt
    }
  }
`;
