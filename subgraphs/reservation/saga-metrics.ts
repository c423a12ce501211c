import { AppError } from "@cinema/platform/errors";
import { stepCounter } from "@cinema/platform/metrics";
import type { SagaPorts } from "./domain/ports.ts";

/** Each call the reserve saga (and its compensation, and the reconciliation job) makes to another subgraph. */
export const sagaSteps = stepCounter(
  "reservation_saga_steps_total",
  "Reserve saga steps by step and outcome: ok, not_found, or the refusal's code (seat_unavailable, payment_declined, service_unavailable, …).",
);

const outcomeOf = (err: unknown) => (err instanceof AppError ? err.code.toLowerCase() : "error");

function counted<A extends unknown[], R>(step: string, fn: (...args: A) => Promise<R>, outcome: (result: R) => string = () => "ok") {
  return async (...args: A): Promise<R> => {
    try {
      const result = await fn(...args);
      sagaSteps.inc({ step, outcome: outcome(result) });
      return result;
    } catch (err) {
      sagaSteps.inc({ step, outcome: outcomeOf(err) });
      throw err;
    }
  };
}

/** The same ports, counting each step's outcome in reservation_saga_steps_total. */
export function countSagaSteps(ports: SagaPorts): SagaPorts {
  const { catalog, seats, payments } = ports;
  return {
    catalog: {
      screening: counted("check_screening", catalog.screening.bind(catalog), (s) => (s ? "ok" : "not_found")),
      cancelCutoffMinutes: catalog.cancelCutoffMinutes.bind(catalog),
    },
    seats: {
      hold: counted("hold_seats", seats.hold.bind(seats)),
      confirm: counted("confirm_seats", seats.confirm.bind(seats)),
      release: counted("release_seats", seats.release.bind(seats)),
    },
    payments: {
      accepting: payments.accepting.bind(payments),
      capture: counted("capture_payment", payments.capture.bind(payments)),
      void: counted("void_payment", payments.void.bind(payments)),
      outcome: counted("payment_outcome", payments.outcome.bind(payments)),
    },
  };
}
