// The one consistency check across every service's database, run after a fault has ended and the
// system has gone quiet (outboxes relayed, JetStream consumers caught up). Shared by the fault
// suite and the security fuzz suite: `settle(stack)` waits and checks; `checkInvariants` only checks.
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { streamNameFor } from "@cinema/platform/events";

/** What the checks need of a stack (scripts/lib/stack.ts `Stack` has it all). */
export interface CheckedStack {
  /** Service → database URL (reservation, payment, seat, mypage, …; a `ticketing` one is used when present). */
  databaseUrls: Record<string, string>;
  natsUrl: string;
  eventsPrefix: string;
}

export interface Violation {
  invariant: string;
  detail: string;
}

export interface InvariantOptions {
  /**
   * A reservation still PENDING (or a payment still PENDING) whose last change is older than this
   * is a dead saga the reconciliation job should have finished or compensated. Default: the
   * reservation subgraph's RESERVE_DEADLINE_SECONDS (60) plus two reconciliation intervals.
   */
  staleAfterMs?: number;
}

export const DEFAULT_STALE_AFTER_MS = 60_000 + 2 * 10_000;

async function query<R extends pg.QueryResultRow = any>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

interface ReservationRow {
  id: string;
  customer_id: string;
  screening_id: string;
  seats: string[];
  amount_cents: number | null;
  currency: string | null;
  status: "PENDING" | "CONFIRMED" | "CANCELLED" | "FAILED";
  step: string;
  version: number;
  age_ms: number;
  updated_at: Date;
}

/** Where tickets live: a ticketing service's own database when it has one, else the reservation's. */
async function ticketDatabase(urls: Record<string, string>): Promise<string | undefined> {
  for (const name of ["ticketing", "reservation"]) {
    const url = urls[name];
    if (!url) continue;
    const [found] = await query(url, `SELECT to_regclass('public.ticket') IS NOT NULL AS ok`);
    if (found?.ok) return url;
  }
  return undefined;
}

/** What the outbox said about a booking and what my page recorded of it, to explain a mismatch. */
async function bookingStory(urls: Record<string, string>, id: string): Promise<string> {
  const [sent, seen, parked] = await Promise.all([
    query<{ line: string }>(
      urls.reservation!,
      `SELECT "type" || ' v' || ("payload"->>'aggregateVersion') || coalesce(' seats ' || ("payload"->'data'->>'seats') || ' remaining ' || ("payload"->'data'->>'remainingSeats'), '') || CASE WHEN "sent_at" IS NULL THEN ' (unsent)' ELSE '' END AS line
         FROM "outbox_event" WHERE "payload"->>'aggregateId' = $1 ORDER BY "seq"`,
      [id],
    ).catch((err: Error) => [{ line: `outbox unreadable: ${err.message}` }]),
    query<{ line: string }>(urls.mypage!, `SELECT "kind" || ': ' || "description" AS line FROM "status_change" WHERE "reservation_id" = $1::uuid ORDER BY "at"`, [id]),
    query<{ line: string }>(urls.mypage!, `SELECT ("payload"->>'type') || ' v' || ("payload"->>'aggregateVersion') AS line FROM "early_event" WHERE "reservation_id" = $1::uuid`, [id]),
  ]);
  return `outbox [${sent.map((r) => r.line).join(" | ")}]; my page history [${seen.map((r) => r.line).join(" | ")}]; parked [${parked.map((r) => r.line).join(" | ")}]`;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
const short = (id: string) => id.slice(0, 8);

/**
 * Every invariant that must hold once the system is quiet. Returns the violations (empty = all
 * good); each names the invariant and the rows involved.
 */
export async function checkInvariants(stack: Pick<CheckedStack, "databaseUrls">, opts: InvariantOptions = {}): Promise<Violation[]> {
  const urls = stack.databaseUrls;
  const staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const violations: Violation[] = [];
  const add = (invariant: string, detail: string) => violations.push({ invariant, detail });

  const ticketUrl = await ticketDatabase(urls);
  const [reservations, payments, partials, seats, mine, tickets] = await Promise.all([
    query<ReservationRow>(
      urls.reservation!,
      `SELECT id::text, customer_id, screening_id::text, seats, amount_cents, currency, status::text, step::text, version,
              (extract(epoch FROM now() - updated_at) * 1000)::float8 AS age_ms, updated_at
         FROM reservation`,
    ),
    query<{ reservation_id: string; status: string; amount_cents: number; refund_cents: number | null; currency: string; age_ms: number }>(
      urls.payment!,
      `SELECT reservation_id::text, status::text, amount_cents, refund_cents, currency, (extract(epoch FROM now() - updated_at) * 1000)::float8 AS age_ms FROM payment`,
    ),
    query<{ reservation_id: string; amount_cents: number; refunded: boolean; age_ms: number }>(
      urls.payment!,
      `SELECT p.reservation_id::text, r.amount_cents, r.refunded_at IS NOT NULL AS refunded, (extract(epoch FROM now() - r.requested_at) * 1000)::float8 AS age_ms
         FROM partial_refund r JOIN payment p ON p.id = r.payment_id`,
    ),
    query<{ screening_id: string; label: string; status: string; reservation_id: string | null }>(
      urls.seat!,
      `SELECT screening_id::text, label, status::text, reservation_id::text FROM seat WHERE status <> 'AVAILABLE' OR reservation_id IS NOT NULL`,
    ),
    query<{
      reservation_id: string;
      customer_id: string;
      screening_id: string;
      seats: string[];
      amount_cents: number;
      reservation_status: string;
      payment_status: string | null;
      ticket_status: string | null;
      seats_released: boolean;
      version: number;
    }>(
      urls.mypage!,
      `SELECT reservation_id::text, customer_id, screening_id::text, seats, amount_cents, reservation_status, payment_status, ticket_status, seats_released, version FROM my_reservation`,
    ),
    ticketUrl ? query<{ reservation_id: string; status: string; issued_at: Date }>(ticketUrl, `SELECT reservation_id::text, status::text, issued_at FROM ticket`) : Promise.resolve(null),
  ]);

  const byId = new Map(reservations.map((r) => [r.id, r]));
  const paymentOf = new Map(payments.map((p) => [p.reservation_id, p]));
  const seatsOf = new Map<string, typeof seats>();
  for (const s of seats) if (s.reservation_id) seatsOf.set(s.reservation_id, [...(seatsOf.get(s.reservation_id) ?? []), s]);
  const live = (r: ReservationRow) => r.status === "CONFIRMED" || r.status === "CANCELLED";

  // Seats: each SOLD seat (one row per screening and label: sold at most once) belongs to a
  // CONFIRMED reservation of that screening that lists it; each CONFIRMED reservation owns its seats.
  for (const s of seats) {
    if (s.status !== "SOLD") continue;
    const r = s.reservation_id ? byId.get(s.reservation_id) : undefined;
    const where = `seat ${s.label} of screening ${short(s.screening_id)}`;
    if (!r) add("seat.sold-to-confirmed", `${where} is SOLD to ${s.reservation_id ?? "nobody"}, which is no reservation`);
    else if (r.status !== "CONFIRMED") add("seat.sold-to-confirmed", `${where} is still SOLD to reservation ${r.id} which is ${r.status} (step ${r.step})`);
    else if (r.screening_id !== s.screening_id || !r.seats.includes(s.label)) add("seat.sold-to-confirmed", `${where} is SOLD to reservation ${r.id}, which does not list it (${r.seats.join(",")})`);
  }
  for (const r of reservations) {
    if (r.status !== "CONFIRMED") continue;
    const sold = (seatsOf.get(r.id) ?? []).filter((s) => s.status === "SOLD" && s.screening_id === r.screening_id).map((s) => s.label);
    if (!sameSet(sold, r.seats)) add("seat.confirmed-owns-seats", `CONFIRMED reservation ${r.id} lists ${r.seats.join(",")} but owns SOLD ${sold.join(",") || "nothing"}`);
  }

  // Money: captured = confirmed, refunded = cancelled (by reservation id); what was charged = what
  // the booking is worth now + the refunds of seats cancelled from it (partial refunds), and a
  // cancelled booking's own refund is what it was worth; no charge for a booking that failed.
  const partialOf = new Map<string, number>();
  for (const part of partials) {
    partialOf.set(part.reservation_id, (partialOf.get(part.reservation_id) ?? 0) + part.amount_cents);
    if (!part.refunded && part.age_ms > staleAfterMs) add("payment.partial-refund-settled", `reservation ${part.reservation_id}: a partial refund owed for ${Math.round(part.age_ms / 1000)} s`);
  }
  for (const r of reservations) {
    const p = paymentOf.get(r.id);
    const want = r.status === "CONFIRMED" ? "CAPTURED" : r.status === "CANCELLED" ? "REFUNDED" : undefined;
    if (want && p?.status !== want) add("payment.matches-reservation", `${r.status} reservation ${r.id} has payment ${p?.status ?? "none"} (want ${want})`);
    if (!want && p && (p.status === "CAPTURED" || p.status === "REFUNDED")) {
      add("payment.no-charge-without-booking", `${r.status} reservation ${r.id} (step ${r.step}) has a ${p.status} payment`);
    }
    const partly = partialOf.get(r.id) ?? 0;
    if (want && p && (p.amount_cents - partly !== r.amount_cents || p.currency !== r.currency)) {
      add("payment.amount", `reservation ${r.id}: ${r.amount_cents} ${r.currency} but payment ${p.amount_cents} ${p.currency} less ${partly} refunded for seats`);
    }
    if (r.status === "CANCELLED" && p?.status === "REFUNDED" && (p.refund_cents ?? p.amount_cents) !== r.amount_cents) {
      add("payment.amount", `cancelled reservation ${r.id} worth ${r.amount_cents} but refunded ${p.refund_cents ?? p.amount_cents}`);
    }
  }
  for (const p of payments) {
    if (!byId.has(p.reservation_id)) add("payment.matches-reservation", `payment ${p.status} for unknown reservation ${p.reservation_id}`);
    if (p.status === "PENDING" && p.age_ms > staleAfterMs) add("payment.no-stale-pending", `payment of reservation ${p.reservation_id} PENDING for ${Math.round(p.age_ms / 1000)} s`);
  }

  // Sagas: none left PENDING past the deadline.
  for (const r of reservations) {
    if (r.status === "PENDING" && r.age_ms > staleAfterMs) add("reservation.no-stale-pending", `reservation ${r.id} PENDING at step ${r.step} for ${Math.round(r.age_ms / 1000)} s`);
  }

  // Read model: exactly one my_reservation row per CONFIRMED/CANCELLED reservation (the primary key
  // makes it at most one), with the same customer, status, seats, amount and payment status; none extra.
  const mineById = new Map(mine.map((m) => [m.reservation_id, m]));
  for (const r of reservations) {
    if (!live(r)) continue;
    const m = mineById.get(r.id);
    if (!m) {
      add("mypage.row-per-booking", `${r.status} reservation ${r.id} is missing from my page`);
      continue;
    }
    const diffs: string[] = [];
    if (m.reservation_status !== r.status) diffs.push(`status ${m.reservation_status} ≠ ${r.status}`);
    if (m.customer_id !== r.customer_id) diffs.push(`customer ${m.customer_id} ≠ ${r.customer_id}`);
    if (m.seats.join() !== r.seats.join()) diffs.push(`seats ${m.seats.join(",")} ≠ ${r.seats.join(",")}`);
    if (m.amount_cents !== r.amount_cents) diffs.push(`amount ${m.amount_cents} ≠ ${r.amount_cents}`);
    const paid = paymentOf.get(r.id)?.status;
    if (paid && m.payment_status !== paid) diffs.push(`payment ${m.payment_status} ≠ ${paid}`);
    if (r.status === "CANCELLED" && !m.seats_released) diffs.push("seats not shown as released");
    if (diffs.length) {
      add("mypage.matches-reservation", `reservation ${r.id}: ${diffs.join("; ")} (my page at version ${m.version}, reservation at ${r.version}); ${await bookingStory(urls, r.id)}`);
    }
  }
  for (const m of mine) {
    const r = byId.get(m.reservation_id);
    if (!r || !live(r)) add("mypage.row-per-booking", `my page shows ${m.reservation_id} (${m.reservation_status}) but the reservation is ${r?.status ?? "unknown"}`);
  }

  // Tickets: a CONFIRMED booking has an ISSUED ticket, a CANCELLED one none or a VOID one; my page agrees.
  if (tickets) {
    const ticketRows = new Map(tickets.map((t) => [t.reservation_id, t]));
    for (const r of reservations) {
      const ticket = ticketRows.get(r.id)?.status;
      const shown = mineById.get(r.id)?.ticket_status;
      if (r.status === "CONFIRMED" && (ticket !== "ISSUED" || shown !== "ISSUED")) {
        add("ticket.issued-for-confirmed", `CONFIRMED reservation ${r.id}: ticket ${ticket ?? "none"}, my page ${shown ?? "none"}`);
      }
      if (r.status === "CANCELLED" && (ticket === "ISSUED" || (mineById.has(r.id) && shown !== "VOID"))) {
        const when = ticket ? ` (ticket issued ${ticketRows.get(r.id)!.issued_at.toISOString()}, reservation last changed ${r.updated_at.toISOString()})` : "";
        add("ticket.void-for-cancelled", `CANCELLED reservation ${r.id}: ticket ${ticket ?? "none"}, my page ${shown ?? "none"}${when}`);
      }
      if (ticket && !live(r)) add("ticket.issued-for-confirmed", `${r.status} reservation ${r.id} has a ${ticket} ticket`);
    }
  } else {
    add("ticket.issued-for-confirmed", "no ticket table found in the ticketing or reservation database");
  }
  return violations;
}

export interface Quiescence {
  /** Unsent outbox rows per database. */
  outbox: Record<string, number>;
  /** JetStream consumers with messages not yet delivered or not yet acknowledged. */
  consumers: Record<string, { pending: number; ackPending: number }>;
}

/** One look: unsent outbox rows in every database, and consumers that are behind. */
export async function quiescence(stack: CheckedStack): Promise<Quiescence> {
  const outbox: Record<string, number> = {};
  await Promise.all(
    Object.entries(stack.databaseUrls).map(async ([name, url]) => {
      const [row] = await query(url, `SELECT count(*)::int AS n FROM outbox_event WHERE sent_at IS NULL`);
      if (row.n > 0) outbox[name] = row.n;
    }),
  );
  const consumers: Quiescence["consumers"] = {};
  const nc = await connect({ servers: stack.natsUrl.split(","), timeout: 5_000, reconnect: false });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    for await (const c of jsm.consumers.list(streamNameFor(stack.eventsPrefix))) {
      // The services' durable consumers only (not an ephemeral one someone is reading the stream with).
      if (!c.config.durable_name) continue;
      if (c.num_pending > 0 || c.num_ack_pending > 0) consumers[c.name] = { pending: c.num_pending, ackPending: c.num_ack_pending };
    }
  } finally {
    await nc.close();
  }
  return { outbox, consumers };
}

const isQuiet = (q: Quiescence) => Object.keys(q.outbox).length === 0 && Object.keys(q.consumers).length === 0;

/**
 * Waits until every outbox is relayed and every consumer has caught up, twice in a row 500 ms
 * apart (a consumer's effect may write new outbox rows). Throws with what is still moving.
 */
export async function waitForQuiescence(stack: CheckedStack, { timeoutMs = 60_000 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietOnce = false;
  let last: Quiescence | string = "never looked";
  while (Date.now() < deadline) {
    try {
      last = await quiescence(stack);
      if (isQuiet(last)) {
        if (quietOnce) return;
        quietOnce = true;
      } else quietOnce = false;
    } catch (err) {
      last = `not reachable: ${(err as Error).message}`;
      quietOnce = false;
    }
    await sleep(500);
  }
  throw new Error(`not quiet after ${timeoutMs / 1000} s: ${JSON.stringify(last)}`);
}

/**
 * Waits (bounded) until no reservation is PENDING any more, or every one left has been PENDING
 * longer than `staleAfterMs`: by then the reconciliation job has had its chance.
 */
export async function waitForSagas(stack: Pick<CheckedStack, "databaseUrls">, { staleAfterMs = DEFAULT_STALE_AFTER_MS } = {}): Promise<void> {
  const deadline = Date.now() + staleAfterMs + 10_000;
  while (Date.now() < deadline) {
    const [row] = await query(
      stack.databaseUrls.reservation!,
      `SELECT count(*)::int AS n FROM reservation WHERE status = 'PENDING' AND updated_at > now() - make_interval(secs => $1)`,
      [staleAfterMs / 1000],
    );
    if (row.n === 0) return;
    await sleep(500);
  }
}

/**
 * After a fault has ended: wait for the sagas and for quiescence, then check. A violation that
 * clears while the system is still settling (e.g. a compensation retried by the reconciliation
 * job) is not one; the result is the check after `settleMs` at most, or the first clean one.
 */
export async function settle(stack: CheckedStack, opts: InvariantOptions & { settleMs?: number; quiescenceTimeoutMs?: number } = {}): Promise<Violation[]> {
  await waitForSagas(stack, opts);
  const deadline = Date.now() + (opts.settleMs ?? 10_000);
  for (;;) {
    await waitForQuiescence(stack, { timeoutMs: opts.quiescenceTimeoutMs ?? 60_000 });
    const violations = await checkInvariants(stack, opts);
    if (violations.length === 0 || Date.now() > deadline) return violations;
    await sleep(1_000);
  }
}
