import { intEnv, requireEnv } from "@cinema/platform/config";
import { badInput } from "@cinema/platform/errors";
import { SubgraphClient, breakerSettings } from "@cinema/platform/subgraph-client";
import type { PricedSeat } from "@cinema/platform/events";
import type { SagaPorts } from "./domain/ports.ts";

export interface SagaClients {
  movie: SubgraphClient;
  seat: SubgraphClient;
  payment: SubgraphClient;
}

/** One client (deadline, breaker, bulkhead) per dependency; settings from the environment. */
export function createClients(): SagaClients {
  return {
    movie: new SubgraphClient("movie", requireEnv("SUBGRAPH_URL_MOVIE"), breakerSettings("movie", { timeoutMs: 2000 })),
    seat: new SubgraphClient("seat", requireEnv("SUBGRAPH_URL_SEAT"), breakerSettings("seat", { timeoutMs: 2000 })),
    payment: new SubgraphClient("payment", requireEnv("SUBGRAPH_URL_PAYMENT"), breakerSettings("payment", { timeoutMs: 5000 })),
  };
}

/**
 * Screenings the saga checked recently (SCREENING_CACHE_SECONDS, default 10): a popular showing
 * is asked of the movie subgraph once per interval, not once per booking. "On sale" is always
 * recomputed from the start time; unknown screenings are never cached.
 */
type Screening = NonNullable<Awaited<ReturnType<SagaPorts["catalog"]["screening"]>>> & { status: "SCHEDULED" | "CANCELLED" };
const screenings = new Map<string, { value: Screening; until: number }>();
function remember(id: string, value: Screening) {
  if (screenings.size > 10_000) screenings.clear();
  screenings.set(id, { value, until: Date.now() + intEnv("SCREENING_CACHE_SECONDS", 10) * 1000 });
}

/** A booked seat as payment priced it; voucherCode only on seats a gift voucher paid. */
const LINE_FIELDS = "seat seatClass ticketType priceCents items { kind label amountCents } voucherCode";
/** Lines as kept on the booking: a seat the card paid carries no voucherCode at all (not null). */
const bookedLines = (lines: (PricedSeat & { voucherCode?: string | null })[]): PricedSeat[] =>
  lines.map(({ voucherCode, ...line }) => (voucherCode ? { ...line, voucherCode } : line));

/** The saga's ports over GraphQL. */
export function createSagaPorts({ movie, seat, payment }: SagaClients): SagaPorts {
  const lookUp = async (id: string): Promise<Screening | null> => {
    const hit = screenings.get(id);
    if (hit && hit.until > Date.now()) return { ...hit.value, onSale: hit.value.status === "SCHEDULED" && new Date(hit.value.startsAt).getTime() > Date.now() };
    const data = await movie.request<{ screening: Screening | null }>(
      `query ($id: ID!) { screening(id: $id) { id startsAt priceCents currency onSale status cinema { id timeZone maxSeatsPerBooking cancelCutoffMinutes } } }`,
      { id },
    );
    if (data.screening) remember(id, data.screening);
    return data.screening;
  };
  return {
    catalog: {
      async screening(id) {
        const screening = await lookUp(id);
        // Staff called it off: the customer hears so (not "already started").
        if (screening?.status === "CANCELLED") throw badInput("input.screeningId", "This screening was cancelled by the cinema; tickets are no longer sold.");
        return screening;
      },
      async cancelCutoffMinutes(screeningId) {
        return (await lookUp(screeningId))?.cinema.cancelCutoffMinutes ?? null;
      },
    },
    seats: {
      async hold(reservationId, screeningId, labels) {
        const data = await seat.request<{ holdSeats: Awaited<ReturnType<SagaPorts["seats"]["hold"]>> }>(
          `mutation ($r: ID!, $s: ID!, $l: [String!]!) { holdSeats(reservationId: $r, screeningId: $s, labels: $l) { label seatClass } }`,
          { r: reservationId, s: screeningId, l: labels },
        );
        return data.holdSeats;
      },
      async confirm(reservationId, count) {
        await seat.request(`mutation ($r: ID!, $n: Int!) { confirmSeats(reservationId: $r, count: $n) }`, { r: reservationId, n: count });
      },
      async release(reservationId) {
        await seat.request(`mutation ($r: ID!) { releaseSeats(reservationId: $r) }`, { r: reservationId });
      },
    },
    payments: {
      accepting: () => payment.accepting(),
      async capture(input) {
        const data = await payment.request<{ capturePayment: { id: string; amountCents: number; breakdown: { lines: PricedSeat[] } } }>(
          `mutation ($r: ID!, $c: ID!, $cur: String!, $t: String, $p: PricingInput!, $e: Int) {
             capturePayment(reservationId: $r, customerId: $c, currency: $cur, paymentToken: $t, pricing: $p, expectedTotalCents: $e) {
               id amountCents breakdown { lines { ${LINE_FIELDS} } }
             }
           }`,
          { r: input.reservationId, c: input.customerId, cur: input.currency, t: input.paymentToken, p: input.pricing, e: input.expectedTotalCents },
        );
        const { id, amountCents, breakdown } = data.capturePayment;
        return { id, amountCents, lines: bookedLines(breakdown.lines) };
      },
      async outcome(reservationId) {
        // Payment's part of the Reservation entity, as the gateway would ask for it.
        const data = await payment.request<{ _entities: ({ payment: { id: string; status: string; amountCents: number; breakdown: { lines: PricedSeat[] } | null } | null } | null)[] }>(
          `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Reservation { payment {
             id status amountCents breakdown { lines { ${LINE_FIELDS} } }
           } } } }`,
          { r: [{ __typename: "Reservation", id: reservationId }] },
        );
        const found = data._entities[0]?.payment;
        return found ? { id: found.id, status: found.status, amountCents: found.amountCents, lines: found.breakdown ? bookedLines(found.breakdown.lines) : null } : null;
      },
      async void(input) {
        await payment.request(
          `mutation ($r: ID!, $c: ID!, $a: Int!, $cur: String!) { voidPayment(reservationId: $r, customerId: $c, amountCents: $a, currency: $cur) { id } }`,
          { r: input.reservationId, c: input.customerId, a: input.amountCents, cur: input.currency },
        );
      },
    },
  };
}
