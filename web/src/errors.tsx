// Every refusal the API can give, in the visitor's language: the UI switches on extensions.code
// (README "Errors") and never shows a raw error. The server's own message (English) appears only
// where it carries the detail a person needs (which field is wrong, why a state forbids it).
import { CombinedError } from "urql";
import type { GraphQLFormattedError } from "graphql";
import { useI18n, type MessageKey, type Translate } from "./i18n.tsx";

export interface ApiProblem {
  code: string;
  message?: string;
  seats?: string[];
  /** SERVICE_UNAVAILABLE after the request may have taken effect (a deadline passed mid-booking). */
  outcomeUnknown?: boolean;
  /** BAD_USER_INPUT of a pair rule: "COUPLE_PAIR" | "COMPANION_WITH_WHEELCHAIR", with the seat and its partner. */
  rule?: string;
  seat?: string;
  pairLabel?: string;
  /** PRICE_CHANGED: the total the booking would cost now. */
  totalCents?: number;
  currency?: string;
  /** BAD_USER_INPUT: more seats than the cinema sells per booking. */
  maxSeatsPerBooking?: number;
  /** BAD_USER_INPUT of a layout: every problem, each at its line and column. */
  layoutErrors?: { line: number; row: string | null; column: number; message: string }[];
  /** VOUCHER_INVALID: the code, why (UNKNOWN, ALREADY_USED, WRONG_CLASS, OTHER_CINEMA, EXPIRED), and the voucher's own class. */
  voucherCode?: string;
  reason?: string;
  voucherSeatClass?: string;
}

/** The first error of a urql result, a REST-ish `{ errors: [...] }` body, or a failed fetch. */
export function toProblem(error: unknown): ApiProblem | null {
  if (!error) return null;
  if (error instanceof CombinedError) {
    const first = error.graphQLErrors[0];
    if (first) return fromGraphQL(first);
    return { code: "NETWORK" };
  }
  if (typeof error === "object" && error && "errors" in error && Array.isArray(error.errors) && error.errors[0]) {
    return fromGraphQL(error.errors[0] as GraphQLFormattedError);
  }
  return { code: "NETWORK" };
}

function fromGraphQL(error: Pick<GraphQLFormattedError, "message" | "extensions">): ApiProblem {
  const ext = error.extensions ?? {};
  const seats = Array.isArray(ext.seats) ? ext.seats.map(String) : undefined;
  return {
    code: typeof ext.code === "string" ? ext.code : "UNKNOWN",
    message: error.message,
    seats,
    ...(ext.outcomeUnknown === true && { outcomeUnknown: true }),
    ...(typeof ext.rule === "string" && { rule: ext.rule, seat: String(ext.seat ?? ""), pairLabel: String(ext.pairLabel ?? "") }),
    ...(typeof ext.totalCents === "number" && { totalCents: ext.totalCents, currency: typeof ext.currency === "string" ? ext.currency : undefined }),
    ...(typeof ext.maxSeatsPerBooking === "number" && { maxSeatsPerBooking: ext.maxSeatsPerBooking }),
    ...(Array.isArray(ext.layoutErrors) && { layoutErrors: ext.layoutErrors as NonNullable<ApiProblem["layoutErrors"]> }),
    ...(typeof ext.voucherCode === "string" && {
      voucherCode: ext.voucherCode,
      reason: String(ext.reason ?? ""),
      ...(typeof ext.seat === "string" && { seat: ext.seat }),
      ...(typeof ext.voucherSeatClass === "string" && { voucherSeatClass: ext.voucherSeatClass }),
    }),
  };
}

const VOUCHER_REASONS = new Set(["UNKNOWN", "ALREADY_USED", "WRONG_CLASS", "OTHER_CINEMA", "EXPIRED"]);

/** A voucher refusal in words: which code, why, and (in a booking) for which seat. */
function describeVoucher(problem: ApiProblem, t: Translate): string {
  if (!VOUCHER_REASONS.has(problem.reason ?? "")) return t("error.unknown");
  const vars = { code: problem.voucherCode ?? "", seat: problem.seat ?? "", class: problem.voucherSeatClass ? t(`class.${problem.voucherSeatClass}` as Parameters<Translate>[0]) : "" };
  const why = t(`error.VOUCHER_INVALID.${problem.reason}` as MessageKey, vars);
  return problem.seat ? t("error.VOUCHER_INVALID.seat", { seat: problem.seat, why }) : why;
}

export function describeProblem(problem: ApiProblem, t: Translate, money?: (cents: number, currency?: string) => string): string {
  switch (problem.code) {
    case "SEAT_UNAVAILABLE":
      return problem.seats?.length ? t("error.SEAT_UNAVAILABLE", { seats: problem.seats.join(", ") }) : t("error.SEAT_UNAVAILABLE.none");
    case "PAYMENT_DECLINED":
    case "SERVICE_UNAVAILABLE":
    case "UNAUTHENTICATED":
    case "FORBIDDEN":
    case "NOT_FOUND":
    case "WAITING_ROOM_REQUIRED":
    case "PASS_EXPIRED":
    case "PASS_INVALID":
    case "RATE_LIMITED":
    case "CANCELLATION_CLOSED":
      return t(`error.${problem.code}`);
    case "PRICE_CHANGED":
      return problem.totalCents != null && money ? t("error.PRICE_CHANGED.total", { amount: money(problem.totalCents, problem.currency) }) : t("error.PRICE_CHANGED");
    case "BAD_USER_INPUT":
      if (problem.rule === "COUPLE_PAIR" || problem.rule === "COMPANION_WITH_WHEELCHAIR") {
        return t(`error.rule.${problem.rule}`, { seat: problem.seat ?? "", pair: problem.pairLabel ?? "" });
      }
      if (problem.maxSeatsPerBooking) return t("error.maxSeats", { n: problem.maxSeatsPerBooking });
      if (problem.layoutErrors?.length) return t("error.layout");
      return t("error.BAD_USER_INPUT", { message: problem.message ?? "" });
    case "CONFLICT":
      return t("error.CONFLICT", { message: problem.message ?? "" });
    case "VOUCHER_INVALID":
      return describeVoucher(problem, t);
    case "NETWORK":
      return t("error.network");
    default:
      // INTERNAL_SERVER_ERROR, validation failures of an outdated page, anything new.
      return t("error.unknown");
  }
}

/** An error for people: role="alert" so screen readers announce it when it appears. */
export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t, money } = useI18n();
  const problem = toProblem(error);
  if (!problem) return null;
  return (
    <div className="notice notice-error" role="alert" data-code={problem.code} data-reason={problem.reason}>
      <p>{describeProblem(problem, t, money)}</p>
      {onRetry && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}
