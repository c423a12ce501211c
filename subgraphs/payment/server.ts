import { intEnv } from "@cinema/platform/config";
import { periodicJob, runSubgraph } from "@cinema/platform/subgraph";
import { retryOwedRefunds } from "./domain/refund-cancelled.ts";
import { createPaymentDb, type PaymentDb } from "./data.ts";
import { paymentConsumers } from "./events.ts";
import { SimulatedCardProcessor } from "./domain/simulated-card-processor.ts";
import { createLoaders, resolvers, type PaymentContext } from "./resolvers.ts";

// The default provider simulates a card processor; PAYMENT_SIM_* tune it for tests and demos.
const provider = new SimulatedCardProcessor({
  latencyMs: intEnv("PAYMENT_SIM_LATENCY_MS", 0),
  failureRate: intEnv("PAYMENT_SIM_FAILURE_RATE", 0),
});

await runSubgraph<PaymentDb, PaymentContext>({
  name: "payment",
  schemaFile: new URL("./schema.graphql", import.meta.url),
  createDb: createPaymentDb,
  build: ({ db, relay }) => ({
    resolvers,
    context: (base) => ({ ...base, db, provider, loaders: createLoaders(db) }),
    consumers: paymentConsumers(db, provider, relay),
    // Refunds owed while the processor was down are retried until it confirms them.
    jobs: [
      periodicJob("refund retry", intEnv("PAYMENT_REFUND_RETRY_SECONDS", 5), async () => {
        if (await retryOwedRefunds(db, provider)) void relay.kick();
      }),
    ],
  }),
});
