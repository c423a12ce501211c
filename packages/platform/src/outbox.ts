import type { EventEnvelope } from "./events.ts";
import { publishEvent, type EventBus } from "./nats.ts";
import { logger } from "./logger.ts";

/** The part of a Prisma client (or transaction client) the outbox needs. */
export interface RawSql {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}
export interface TransactionalDb extends RawSql {
  $transaction<R>(fn: (tx: RawSql) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
}

/** Writes events in the caller's transaction, so they exist if and only if the state change commits. */
export async function enqueueEvents(tx: RawSql, ...events: EventEnvelope[]): Promise<void> {
  for (const event of events) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "outbox_event" ("id", "type", "payload") VALUES ($1::uuid, $2, $3::jsonb)`,
      event.id,
      event.type,
      JSON.stringify(event),
    );
  }
}

/**
 * Which outbox rows a relay publishes, when two processes write to one database (reservation and
 * its ticket issuer): each relays its own event types, so neither publishes the other's rows again.
 * Default: all of them.
 */
export interface RelayScope {
  only?: string[];
  except?: string[];
}

const RELAY_BATCH = 100;

/**
 * Relays committed outbox rows to JetStream in insertion order and marks them sent after the ack.
 * `kick()` right after a commit publishes at once; the sweep picks up whatever a crash or a NATS
 * outage left behind. A row published twice is dropped by JetStream's Nats-Msg-Id dedupe.
 */
export class OutboxRelay {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Ids published from memory (publishCommitted), marked sent together. */
  private published: string[] = [];
  private marking: Promise<void> | undefined;

  /** SQL condition on `type` selecting this relay's rows (see RelayScope). */
  private readonly scope: { where: string; types: string[] };

  private readonly db: RawSql;
  private readonly bus: EventBus;
  private readonly sweepMs: number;

  constructor(db: RawSql, bus: EventBus, scope: RelayScope = {}, sweepMs = 1000) {
    this.db = db;
    this.bus = bus;
    this.sweepMs = sweepMs;
    this.scope = scope.only
      ? { where: `AND "type" = ANY($1::text[])`, types: scope.only }
      : { where: `AND NOT ("type" = ANY($1::text[]))`, types: scope.except ?? [] };
  }

  start(): this {
    this.timer = setInterval(() => this.kick(), this.sweepMs);
    this.timer.unref();
    this.kick();
    return this;
  }

  /** Publishes pending rows soon; concurrent kicks coalesce into one more pass. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          // A batch short of the limit was the last one: no statement to find nothing more.
          while ((await this.flushBatch()) === RELAY_BATCH);
        } while (this.again);
      } catch (err) {
        logger.warn({ err }, "outbox relay paused; will retry");
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Publishes events this process has just committed to the outbox, from memory: no read back.
   * They are marked sent in one statement with whatever else was published meanwhile; a publish
   * that fails leaves its row to the sweep.
   */
  publishCommitted(...events: EventEnvelope[]): void {
    for (const event of events) {
      publishEvent(this.bus, event).then(
        () => {
          this.published.push(event.id);
          this.marking ??= this.markPublished();
        },
        (err: unknown) => logger.warn({ err, eventId: event.id }, "publish after commit failed; the sweep will retry"),
      );
    }
  }

  private async markPublished(): Promise<void> {
    // A turn of the event loop first, so that acks arriving together share the statement.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.published.length) {
        const ids = this.published.splice(0, 500);
        await this.db.$executeRawUnsafe(`UPDATE "outbox_event" SET "sent_at" = now() WHERE "id" = ANY($1::uuid[]) AND "sent_at" IS NULL`, ids);
      }
    } catch (err) {
      logger.warn({ err }, "marking published events failed; the sweep will publish them again (deduplicated)");
    } finally {
      this.marking = undefined;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.marking;
  }

  /** Rows not yet relayed; exported as a metric and used by tests to wait for quiescence. */
  async backlog(): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "outbox_event" WHERE "sent_at" IS NULL ${this.scope.where}`, this.scope.types);
    return Number(rows[0]?.n ?? 0);
  }

  private async flushBatch(): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ seq: bigint; payload: EventEnvelope }[]>(
      `SELECT "seq", "payload" FROM "outbox_event" WHERE "sent_at" IS NULL ${this.scope.where} ORDER BY "seq" LIMIT ${RELAY_BATCH}`,
      this.scope.types,
    );
    // Publishes are pipelined on one connection, so JetStream stores them in this order.
    await Promise.all(rows.map((row) => publishEvent(this.bus, row.payload)));
    if (rows.length) {
      await this.db.$executeRawUnsafe(`UPDATE "outbox_event" SET "sent_at" = now() WHERE "seq" = ANY($1::bigint[])`, rows.map((r) => r.seq));
    }
    return rows.length;
  }
}

/**
 * Runs an event handler at most once per consumer: the event id is recorded in the same
 * transaction as the handler's effect, so a redelivery after a crash or a lost ack is a no-op.
 */
export async function handleOnce<Tx extends RawSql>(
  db: { $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: { timeout?: number }): Promise<R> },
  consumer: string,
  event: EventEnvelope,
  effect: (tx: Tx) => Promise<unknown>,
): Promise<boolean> {
  const applied = await handleEachOnce(db, consumer, [event], (tx) => effect(tx));
  return applied.length > 0;
}

/**
 * handleOnce for a batch (ConsumerOptions.handleBatch): ONE transaction records the batch's event
 * ids and runs `effect` for each event not seen before, in order. `prepare` runs first, once, with
 * the new events (e.g. to take their locks in a fixed order). Returns the events applied now.
 */
export async function handleEachOnce<Tx extends RawSql, E extends EventEnvelope>(
  db: { $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: { timeout?: number }): Promise<R> },
  consumer: string,
  events: E[],
  effect: (tx: Tx, event: E) => Promise<unknown>,
  prepare?: (tx: Tx, events: E[]) => Promise<unknown>,
): Promise<E[]> {
  return db.$transaction(
    async (tx: Tx) => {
      const rows = await tx.$queryRawUnsafe<{ event_id: string }[]>(
        `INSERT INTO "processed_event" ("consumer", "event_id") SELECT $1, unnest($2::uuid[])
         ON CONFLICT DO NOTHING RETURNING "event_id"::text`,
        consumer,
        events.map((e) => e.id),
      );
      const fresh = new Set(rows.map((r) => r.event_id));
      // A redelivered event may sit twice in one batch: apply it once.
      const applied = events.filter((e) => fresh.delete(e.id));
      if (applied.length && prepare) await prepare(tx, applied);
      for (const event of applied) await effect(tx, event);
      return applied;
    },
    { timeout: 15_000 },
  );
}
