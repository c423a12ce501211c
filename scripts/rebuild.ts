// Rebuilds a read model of the mypage subgraph from the event stream and swaps it in without
// downtime (see README, "Rebuilding a read model"):
//   npm run rebuild:mypage        my page (every customer's bookings and their history)
//   npm run rebuild:dashboard     the staff dashboard
// It asks the running platform, through the gateway, as staff (rebuildReadModel), and follows the
// rebuild until it ends. GATEWAY_URL (default http://127.0.0.1:4000/graphql) names the gateway; the
// staff token is signed with the same secret as `npm run token` (JWT_SECRET, else .local/jwt-secret),
// or given as STAFF_TOKEN.
import { setTimeout as sleep } from "node:timers/promises";
import { signToken } from "@cinema/platform/auth";

const MODELS = { mypage: "MYPAGE", dashboard: "DASHBOARD" } as const;
const which = process.argv[2] as keyof typeof MODELS | undefined;
if (!which || !(which in MODELS)) {
  console.error("usage: npm run rebuild:mypage | npm run rebuild:dashboard   (tsx scripts/rebuild.ts <mypage|dashboard>)");
  process.exit(2);
}
const url = process.env.GATEWAY_URL ?? "http://127.0.0.1:4000/graphql";
const token = process.env.STAFF_TOKEN ?? (await signToken("rebuild", "admin", "1h"));

interface Rebuild {
  id: string;
  state: "RUNNING" | "DONE" | "FAILED";
  eventsReplayed: number;
  error: string | null;
}
async function ask<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  const error = body.errors?.[0];
  if (error) throw new Error(`${error.extensions?.code ?? "ERROR"}: ${error.message}`);
  return body.data as T;
}

const FIELDS = "id state eventsReplayed error";
try {
  let rebuild = (await ask<{ rebuildReadModel: Rebuild }>(`mutation ($m: ReadModel!) { rebuildReadModel(model: $m) { ${FIELDS} } }`, { m: MODELS[which] })).rebuildReadModel;
  console.log(`rebuilding ${which} from the event stream (rebuild ${rebuild.id})…`);
  while (rebuild.state === "RUNNING") {
    await sleep(1000);
    rebuild = (await ask<{ readModelRebuild: Rebuild }>(`query ($id: ID!) { readModelRebuild(id: $id) { ${FIELDS} } }`, { id: rebuild.id })).readModelRebuild;
    if (rebuild.state === "RUNNING") console.log(`  ${rebuild.eventsReplayed} events replayed`);
  }
  if (rebuild.state === "FAILED") {
    console.error(`the rebuild failed: ${rebuild.error}; the live ${which} read model is unchanged.`);
    process.exit(1);
  }
  console.log(`${which} rebuilt from ${rebuild.eventsReplayed} events and swapped in.`);
} catch (err) {
  console.error(`rebuild of ${which} not started or not followed: ${(err as Error).message}`);
  process.exit(1);
}
