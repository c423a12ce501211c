// `npm run up`: the whole platform on one machine. PostgreSQL and NATS come from DATABASE_URL(_<NAME>)
// and NATS_URL when given, else our own are started (embedded PostgreSQL, nats-server); then the
// five subgraphs and the gateway (default ports when free), the demo cinema seeded, and Ctrl-C
// stops it all: processes first, then NATS and PostgreSQL.
import { signToken } from "@cinema/platform/auth";
import { jwtSecret } from "@cinema/platform/config";
import { ensureNats, ensurePostgres, type Nats, type Postgres } from "./lib/infra.ts";
import { startStack, type Stack } from "./lib/stack.ts";
import { SUBGRAPHS, WORKERS } from "./lib/subgraphs.ts";
import { seedDemo } from "./seed.ts";

let postgres: Postgres | undefined;
let nats: Nats | undefined;
let stack: Stack | undefined;
let stopping: Promise<void> | undefined;

function shutdown(code: number): Promise<void> {
  return (stopping ??= (async () => {
    try {
      await stack?.stopAll();
      await nats?.stop();
      await postgres?.stop();
    } catch (err) {
      console.error("shutdown failed:", err);
      code ||= 1;
    }
    process.exit(code);
  })());
}

let firstSignalAt = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // One Ctrl-C can arrive twice (from the terminal and relayed by npm/tsx): only a later one,
    // a second press, skips the orderly shutdown (our 'exit' hook still signals every child).
    if (stopping) {
      if (Date.now() - firstSignalAt > 1_000) {
        console.error("stopping anyway");
        process.exit(130);
      }
      return;
    }
    firstSignalAt = Date.now();
    console.log("\nstopping…");
    void shutdown(0);
  });
}

try {
  [postgres, nats] = await Promise.all([ensurePostgres(), ensureNats()]);
  stack = await startStack({
    serverUrl: postgres.serverUrl,
    natsUrl: nats.url,
    dbPrefix: "cinema",
    eventsPrefix: process.env.EVENTS_PREFIX ?? "cinema",
    useDefaultPorts: true,
    jwtSecret: jwtSecret(), // the one `npm run token` signs with
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "info" },
    log: "inherit",
  });
  const seeded = await seedDemo(stack.gatewayUrl, await signToken("staff", "admin"));

  const row = (label: string, value: string) => `  ${label.padEnd(14)}${value}`;
  console.log(
    [
      "",
      "The cinema is up.",
      row("Web app", stack.gatewayUrl.replace(/\/graphql$/, "/")),
      row("GraphQL", stack.gatewayUrl),
      row("IDE", stack.gatewayUrl.replace(/\/graphql$/, "/ide")),
      ...SUBGRAPHS.map((name) => row(name, stack!.urls[name])),
      ...WORKERS.map((name) => row(name, `http://127.0.0.1:${stack!.ports[name]}/health/ready`)),
      row("PostgreSQL", postgres.serverUrl),
      row("NATS", nats.url),
      row("demo data", seeded.seeded ? `seeded (${seeded.screenings} screenings)` : "already there"),
      "",
      "Tokens: `npm run token -- alice` (a customer), `npm run token -- --admin staff` (cinema staff).",
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
} catch (err) {
  console.error(`\nnpm run up failed: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
