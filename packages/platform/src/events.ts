import { randomUUID } from "node:crypto";
import { currentTraceparent } from "./observability.ts";

/**
 * The one event envelope of the platform. `schemaVersion` is bumped when an event's `data` changes
 * shape incompatibly; `aggregateVersion` lets projections ignore a stale event that arrives late.
 */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  schemaVersion: 1;
  occurredAt: string;
  aggregateId: string;
  aggregateVersion: number;
  data: EventData[T];
  traceparent?: string;
}

/** Seat classes (seat subgraph) and ticket types (priced by payment). */
export type SeatClass = "STANDARD" | "PREMIUM" | "COUPLE" | "WHEELCHAIR" | "COMPANION";
export type TicketType = "ADULT" | "YOUTH" | "SENIOR" | "DISABLED";

/** One seat of an auditorium's layout (movie/domain/layout.ts): where it is drawn and what it is. */
export interface LayoutSeat {
  label: string;
  row: string;
  number: number;
  /** 1-based place in the drawing, counting aisles and gaps. */
  gridRow: number;
  gridColumn: number;
  seatClass: SeatClass;
  /** The seat sold only together with this one: a couple seat's partner, a companion seat's wheelchair space. */
  pairLabel: string | null;
  /** Exists but is not sold (broken, kept for the house). */
  blocked: boolean;
}

/** One part of a seat's price, as applied (the parts of a seat sum to its price, never below 0). */
export interface PriceItem {
  kind: "BASE" | "SEAT_CLASS" | "TIME" | "TICKET_TYPE";
  label: string;
  amountCents: number;
}

/** A booked seat with its ticket type and price breakdown. */
export interface PricedSeat {
  seat: string;
  seatClass: SeatClass;
  ticketType: TicketType;
  priceCents: number;
  items: PriceItem[];
  /** The gift voucher that paid this seat (the card paid none of priceCents); absent: the card. */
  voucherCode?: string;
}

/** What the card paid of these seats: their prices, less the seats a gift voucher paid. */
export const cardCents = (lines: readonly PricedSeat[]): number => lines.reduce((sum, l) => sum + (l.voucherCode ? 0 : l.priceCents), 0);

/**
 * The lines of a booking made before ticket types and seat classes (no lines kept): each seat an
 * ADULT STANDARD ticket, the amount shared out (the first seat takes what an uneven split leaves).
 */
export function linesBeforeTicketTypes(seats: string[], amountCents: number): PricedSeat[] {
  const each = Math.floor(amountCents / Math.max(1, seats.length));
  return seats.map((seat, i) => {
    const priceCents = i === 0 ? amountCents - each * (seats.length - 1) : each;
    return { seat, seatClass: "STANDARD", ticketType: "ADULT", priceCents, items: [{ kind: "BASE", label: "Ticket", amountCents: priceCents }] };
  });
}

/** Who or what cancelled a booking: its customer, staff, or staff calling the whole screening off. */
export type CancellationReason = "CUSTOMER" | "STAFF" | "SCREENING_CANCELLED";

/** What each event carries. Money in minor units with its currency; times as ISO-8601 UTC. */
export interface EventData {
  "movie.screening-scheduled": {
    screeningId: string;
    movieId: string;
    movieTitle: string;
    auditoriumId: string;
    auditoriumName: string;
    startsAt: string;
    priceCents: number;
    currency: string;
    /** Rows of seats and the widest row's seat count (the auditorium's extent; older events had only these). */
    rows: number;
    seatsPerRow: number;
    cinemaId: string;
    cinemaName: string;
    /** IANA time zone of the cinema, e.g. Asia/Seoul. */
    timeZone: string;
    /** The auditorium's layout as scheduled (later layout edits do not change it). */
    seats: LayoutSeat[];
  };
  "reservation.confirmed": {
    reservationId: string;
    customerId: string;
    screeningId: string;
    seats: string[];
    amountCents: number;
    currency: string;
    paymentId: string;
    /** One per seat, as priced and charged (sum of priceCents = amountCents). */
    lines: PricedSeat[];
  };
  "reservation.failed": {
    reservationId: string;
    customerId: string;
    screeningId: string;
    seats: string[];
    reason: string;
  };
  /**
   * Staff called a screening off (movie subgraph): it is no longer on sale; seat closes its seats,
   * reservation cancels (and so refunds) every booking of it.
   */
  "movie.screening-cancelled": {
    screeningId: string;
    /** Staff's words for the customers, e.g. "Projector failure". */
    reason: string;
    cancelledBy: string;
    startsAt: string;
    movieTitle: string;
    cinemaName: string;
    timeZone: string;
  };
  /** The ticket is already VOID when this is published (same transaction). */
  "reservation.cancelled": {
    reservationId: string;
    customerId: string;
    screeningId: string;
    seats: string[];
    amountCents: number;
    currency: string;
    /** The booking's lines when cancelled (absent in older events and bookings without lines). */
    lines?: PricedSeat[];
    cancelledBy: string;
    /** Why (absent in older events: the customer or staff, see cancelledBy). */
    reason?: CancellationReason;
    /** SCREENING_CANCELLED: staff's words for the customers. */
    note?: string;
  };
  "ticket.issued": {
    reservationId: string;
    customerId: string;
    ticketId: string;
    code: string;
  };
  /**
   * Some seats of a confirmed booking were cancelled; the rest stay booked on a reissued ticket.
   * payment refunds `refundCents` (the card's part of those seats' lines) and gives their vouchers
   * back, then `payment.refunded` with `seats` has seat release just those.
   */
  "reservation.seats-cancelled": {
    reservationId: string;
    /** One per partial cancellation: payment refunds each once. */
    cancellationId: string;
    customerId: string;
    screeningId: string;
    /** The seats cancelled now. */
    seats: string[];
    /** The seats still booked. */
    remainingSeats: string[];
    /** Card money owed back for `seats`. */
    refundCents: number;
    /** The vouchers that paid some of `seats`: payment makes them usable again. */
    vouchers: string[];
    /** What the booking is worth now (what stays charged). */
    amountCents: number;
    currency: string;
    /** The remaining seats' lines. */
    lines: PricedSeat[];
    /** The ticket reissued for the remaining seats (the old code is void); null when none was issued yet. */
    ticketCode: string | null;
    cancelledBy: string;
    reason: CancellationReason;
  };
  "payment.refunded": {
    reservationId: string;
    customerId: string;
    paymentId: string;
    amountCents: number;
    currency: string;
    /** A partial cancellation's refund: only these seats go back on sale (absent: the whole booking). */
    seats?: string[];
    cancellationId?: string;
  };
  /**
   * Staff blocked seats of a screening from sale or opened them again (setSeatsBlocked). Its
   * aggregateVersion grows per screening: keep the newest `forSale`.
   */
  "seat.seats-blocked": {
    screeningId: string;
    /** The seats that changed. */
    labels: string[];
    blocked: boolean;
    /** The screening's seats not blocked now. */
    forSale: number;
  };
  "seat.released": {
    reservationId: string;
    /** Set when only some seats of the booking were released (a partial cancellation). */
    cancellationId?: string;
    /** null when the booking had no seats left to release. */
    screeningId: string | null;
    seats: string[];
  };
}
export type EventType = keyof EventData;

export function createEvent<T extends EventType>(
  type: T,
  aggregateId: string,
  data: EventData[T],
  aggregateVersion = 1,
): EventEnvelope<T> {
  // The trace this event is created in (when tracing is on): publish and consumers continue it.
  const traceparent = currentTraceparent();
  return { id: randomUUID(), type, schemaVersion: 1, occurredAt: new Date().toISOString(), aggregateId, aggregateVersion, data, ...(traceparent && { traceparent }) };
}

/** Subjects are `<prefix>.<context>.<event>`, e.g. `cinema.reservation.confirmed`. */
export const subjectFor = (prefix: string, type: EventType | string) => `${prefix}.${type}`;
export const streamNameFor = (prefix: string) => prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, "_");
export const deadLetterSubject = (prefix: string, consumer: string) => `${prefix}.dlq.${consumer}`;

/**
 * Live notifications for subscriptions: plain NATS subjects outside the stream (best effort, not
 * stored), published after the change committed. The durable record is always the event above.
 * - `<prefix>_live.seats.<screeningId>`   → SeatMapChange
 * - `<prefix>_live.mypage.<customerId>`   → the customer's MyReservation row as my page shows it
 * - `<prefix>_live.seats-freed`            → SeatsFreed: seats that became free (reservation stops
 *                                            answering for them as sold; see its taken-seats.ts)
 * - `<prefix>_live.dashboard`              → DashboardChange: the staff dashboard's figures moved
 */
export const liveSeatsSubject = (prefix: string, screeningId: string) => `${prefix}_live.seats.${screeningId}`;
export const liveMypageSubject = (prefix: string, customerId: string) => `${prefix}_live.mypage.${customerId}`;
export const liveSeatsFreedSubject = (prefix: string) => `${prefix}_live.seats-freed`;
export const liveDashboardSubject = (prefix: string) => `${prefix}_live.dashboard`;

/** The screenings whose dashboard figures changed (mypage's dashboard read model, after commit). */
export interface DashboardChange {
  screeningIds: string[];
  at: string;
}

export interface SeatsFreed {
  screeningId: string;
  labels: string[];
}

export interface SeatMapChange {
  screeningId: string;
  /** Each changed seat as the seat map draws it (class, place in the drawing, pair) with its new status. */
  seats: (Pick<LayoutSeat, "label" | "row" | "number" | "seatClass" | "gridRow" | "gridColumn" | "pairLabel"> & {
    status: "AVAILABLE" | "HELD" | "SOLD" | "BLOCKED";
  })[];
  availableSeatCount: number;
}
