import { randomUUID } from "node:crypto";
import pg from "pg";
import { listMigrations } from "@cinema/platform/migrate";
import { logger } from "@cinema/platform/logger";
import type { EventBus } from "@cinema/platform/nats";
import type { MypageDb } from "../data.ts";
import { READ_MODEL_LOCK, type ReadModel } from "../read-models.ts";
import { replayEvents } from "./replay.ts";
import { createSchemaDb } from "./schema-db.ts";

/**
 * Rebuilds a read model from the source of truth, the event stream, into fresh tables and swaps
 * them in without downtime:
 * 1. the model's tables are created empty in a schema of their own (`rebuild_<model>`) by running
 *    mypage's migrations there, so they are exactly the live ones (columns, keys, indexes);
 * 2. every event of the model's types is replayed from the start of the stream into them, through
 *    the same projection code as the live consumers (twice: the second pass catches up with what
 *    arrived during the first);
 * 3. one transaction takes the model's lock exclusively (the live consumers pause: see pausable),
 *    replays the few events that arrived meanwhile, moves the live tables out and the rebuilt ones
 *    into `public`, and hands the rebuilt processed-event bookkeeping to the live consumers. Readers
 *    wait for that commit (milliseconds), then read the rebuilt tables; the paused consumers go on
 *    from there, skipping what the rebuild already applied.
 * The old tables are dropped after the commit.
 */
export async function rebuildReadModel(
  deps: { databaseUrl: string; bus: EventBus },
  model: ReadModel,
  progress: (replayed: number) => Promise<void> = async () => {},
): Promise<number> {
  const building = `rebuild_${model.name.toLowerCase()}`;
  const retired = `retired_${model.name.toLowerCase()}`;
  const admin = new pg.Client({ connectionString: deps.databaseUrl });
  await admin.connect();
  let target: MypageDb | undefined;
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${building} CASCADE`);
    await admin.query(`CREATE SCHEMA ${building}`);
    await admin.query(`SET search_path = ${building}`);
    for (const migration of listMigrations("mypage")) await admin.query(migration.sql);
    await admin.query(`RESET search_path`);

    target = createSchemaDb(deps.databaseUrl, building);
    const into = target;
    let replayed = 0;
    const replay = async (fromSeq: number) => {
      const done = await replayEvents(deps.bus, model.eventTypes, fromSeq, async (events) => {
        await model.project(into, events);
        replayed += events.length;
        await progress(replayed);
      });
      return done.lastSeq;
    };
    let lastSeq = await replay(1);
    lastSeq = await replay(lastSeq + 1);

    await admin.query("BEGIN");
    try {
      await admin.query(`SELECT pg_advisory_xact_lock($1::int, $2::int)`, [READ_MODEL_LOCK, model.lockKey]);
      await replay(lastSeq + 1);
      await admin.query(`DROP SCHEMA IF EXISTS ${retired} CASCADE`);
      await admin.query(`CREATE SCHEMA ${retired}`);
      for (const table of model.tables) {
        await admin.query(`ALTER TABLE public."${table}" SET SCHEMA ${retired}`);
        await admin.query(`ALTER TABLE ${building}."${table}" SET SCHEMA public`);
      }
      await admin.query(`DELETE FROM public."processed_event" WHERE "consumer" = $1`, [model.consumer]);
      await admin.query(
        `INSERT INTO public."processed_event" ("consumer", "event_id", "processed_at")
         SELECT "consumer", "event_id", "processed_at" FROM ${building}."processed_event" WHERE "consumer" = $1`,
        [model.consumer],
      );
      await admin.query("COMMIT");
    } catch (err) {
      await admin.query("ROLLBACK").catch(() => {});
      throw err;
    }
    await progress(replayed);
    logger.info({ model: model.name, replayed }, "read model rebuilt and swapped in");
    return replayed;
  } finally {
    await target?.$disconnect();
    await admin.query(`DROP SCHEMA IF EXISTS ${retired} CASCADE`).catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS ${building} CASCADE`).catch(() => {});
    await admin.end();
  }
}

/** A rebuild as staff see it (read_model_rebuild). */
export type RebuildRecord = Awaited<ReturnType<MypageDb["readModelRebuild"]["findUniqueOrThrow"]>>;

/**
 * Starts a rebuild in the background and returns its record (RUNNING); the record says how far it
 * got and how it ended. One at a time per model across replicas (a session advisory lock); a
 * rebuild a crashed process left RUNNING is marked FAILED when the next one starts.
 */
export async function startRebuild(deps: { db: MypageDb; databaseUrl: string; bus: EventBus }, model: ReadModel): Promise<RebuildRecord | null> {
  const guard = new pg.Client({ connectionString: deps.databaseUrl });
  await guard.connect();
  const end = () => guard.end().catch(() => {});
  try {
    const [got] = (await guard.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1::int, $2::int) AS ok`, [READ_MODEL_LOCK, 100 + model.lockKey])).rows;
    if (!got?.ok) {
      await end();
      return null;
    }
  } catch (err) {
    await end();
    throw err;
  }
  await deps.db.readModelRebuild.updateMany({ where: { model: model.name, state: "RUNNING" }, data: { state: "FAILED", error: "interrupted (the process running it stopped)", finishedAt: new Date() } });
  const record = await deps.db.readModelRebuild.create({ data: { id: randomUUID(), model: model.name, state: "RUNNING", startedAt: new Date() } });
  void (async () => {
    try {
      const replayed = await rebuildReadModel(deps, model, (n) => deps.db.readModelRebuild.update({ where: { id: record.id }, data: { eventsReplayed: n } }).then(() => {}));
      await deps.db.readModelRebuild.update({ where: { id: record.id }, data: { state: "DONE", eventsReplayed: replayed, finishedAt: new Date() } });
    } catch (err) {
      logger.error({ err, model: model.name }, "read model rebuild failed; the live model is unchanged");
      await deps.db.readModelRebuild
        .update({ where: { id: record.id }, data: { state: "FAILED", error: (err as Error).message.slice(0, 500), finishedAt: new Date() } })
        .catch(() => {});
    } finally {
      await end();
    }
  })();
  return record;
}
