import { intEnv, requireEnv } from "@cinema/platform/config";
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
type Screening = NonNullable<Awaited<ReturnType<SagaPorts["catalog"]["screening"]>>>;
const screenings = new Map<string, { value: Screening; until: number }>();
function remember(id: string, value: Screening) {
  if (screenings.size > 10_000) screenings.clear();
  screenings.set(id, { value, until: Date.now() + intEnv("SCREENING_CACHE_SECONDS", 10) * 1000 });
}

/** The saga's ports over GraphQL. */
export function createSagaPorts({ movie, seat, payment }: SagaClients): SagaPorts {
  return {
    catalog: {
      async screening(id) {
        const hit = screenings.get(id);
        if (hit && hit.until > Date.now()) return { ...hit.value, onSale: new Date(hit.value.startsAt).getTime() > Date.now() };
        const data = await movie.request<{ screening: Awaited<ReturnType<SagaPorts["catalog"]["screening"]>> }>(
          `query ($id: ID!) { screening(id: $id) { id startsAt priceCents currency onSale cinema { id timeZone maxSeatsPerBooking } } }`,
          { id },
        );
        if (data.screening) remember(id, data.screening);
        return data.screening;
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
          `mutation ($r: ID!, $c: ID!, $cur: String!, $t: String!, $p: PricingInput!, $e: Int) {
             capturePayment(reservationId: $r, customerId: $c, currency: $cur, paymentToken: $t, pricing: $p, expectedTotalCents: $e) {
               id amountCents breakdown { lines { seat seatClass ticketType priceCents items { kind label amountCents } } }
             }
           }`,
          { r: input.reservationId, c: input.customerId, cur: input.currency, t: input.paymentToken, p: input.pricing, e: input.expectedTotalCents },
        );
        const { id, amountCents, breakdown } = data.capturePayment;
        return { id, amountCents, lines: breakdown.lines };
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
