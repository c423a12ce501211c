import { requireEnv } from "@cinema/platform/config";
import { SubgraphClient, breakerSettings } from "@cinema/platform/subgraph-client";
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

/** The saga's ports over GraphQL. */
export function createSagaPorts({ movie, seat, payment }: SagaClients): SagaPorts {
  return {
    catalog: {
      async screening(id) {
        const data = await movie.request<{ screening: Awaited<ReturnType<SagaPorts["catalog"]["screening"]>> }>(
          `query ($id: ID!) { screening(id: $id) { id startsAt priceCents currency onSale } }`,
          { id },
        );
        return data.screening;
      },
    },
    seats: {
      async hold(reservationId, screeningId, labels) {
        await seat.request(`mutation ($r: ID!, $s: ID!, $l: [String!]!) { holdSeats(reservationId: $r, screeningId: $s, labels: $l) }`, {
          r: reservationId,
          s: screeningId,
          l: labels,
        });
      },
      async confirm(reservationId, count) {
        await seat.request(`mutation ($r: ID!, $n: Int!) { confirmSeats(reservationId: $r, count: $n) }`, { r: reservationId, n: count });
      },
      async release(reservationId) {
        await seat.request(`mutation ($r: ID!) { releaseSeats(reservationId: $r) }`, { r: reservationId });
      },
    },
    payments: {
      async capture(input) {
        const data = await payment.request<{ capturePayment: { id: string } }>(
          `mutation ($r: ID!, $c: ID!, $a: Int!, $cur: String!, $t: String!) {
             capturePayment(reservationId: $r, customerId: $c, amountCents: $a, currency: $cur, paymentToken: $t) { id }
           }`,
          { r: input.reservationId, c: input.customerId, a: input.amountCents, cur: input.currency, t: input.paymentToken },
        );
        return data.capturePayment;
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
