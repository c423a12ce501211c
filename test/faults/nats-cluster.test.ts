// Case 4: a three-node JetStream cluster on loopback, the stream replicated three times, and the
// node leading the stream killed with SIGKILL under load. Two nodes keep a quorum: requests go on,
// every event is still delivered, and the invariants hold; the node then rejoins.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { streamNameFor } from "@cinema/platform/events";
import { freePort, startNatsServer } from "../../scripts/lib/infra.ts";
import { waitFor, type TestStack } from "../harness.ts";
import { finishCase, startFaultStack } from "./common.ts";
import { freshSeats, startLoad, type SeatPool } from "./load.ts";

type Node = { name: string; port: number; clusterPort: number; storeDir: string; server?: Awaited<ReturnType<typeof startNatsServer>> };
const nodes: Node[] = [];
const root = mkdtempSync(path.join(os.tmpdir(), "cinema-faults-cluster-"));
let t: TestStack;
let seats: SeatPool;
let natsUrl: string;

const startNode = async (node: Node) => {
  const routes = nodes.filter((n) => n !== node).map((n) => `nats://127.0.0.1:${n.clusterPort}`);
  node.server = await startNatsServer({
    port: node.port,
    storeDir: node.storeDir,
    args: ["--server_name", node.name, "--cluster_name", "cinema", "--cluster", `nats://127.0.0.1:${node.clusterPort}`, "--routes", routes.join(",")],
  });
};

/** Where JetStream answers through every node, with the stream's leader and replicas as the cluster sees them. */
async function streamCluster(stream: string) {
  const nc = await connect({ servers: natsUrl.split(","), timeout: 3_000, reconnect: false });
  try {
    const info = await (await jetstreamManager(nc, { timeout: 3_000 })).streams.info(stream);
    return { replicas: info.config.num_replicas, leader: info.cluster?.leader, peers: info.cluster?.replicas ?? [] };
  } finally {
    await nc.close();
  }
}

beforeAll(async () => {
  for (let i = 1; i <= 3; i++) nodes.push({ name: `n${i}`, port: await freePort(), clusterPort: await freePort(), storeDir: path.join(root, `n${i}`) });
  await Promise.all(nodes.map(startNode));
  natsUrl = nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(",");
  // JetStream answers once the cluster has elected its meta leader.
  await waitFor(
    async () => {
      const nc = await connect({ servers: natsUrl.split(","), timeout: 2_000, reconnect: false });
      try {
        return (await (await jetstreamManager(nc, { timeout: 2_000 })).getAccountInfo()) !== undefined;
      } finally {
        await nc.close();
      }
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  t = await startFaultStack({ natsUrl, env: { NATS_STREAM_REPLICAS: "3" } });
  seats = await freshSeats(t, 4); // 2,400 seats: the load's cap (1,500 requests, ≤ 3 seats a booking)
});
afterAll(async () => {
  try {
    await t?.cleanup();
  } finally {
    await Promise.all(nodes.map((n) => n.server?.stop()));
    rmSync(root, { recursive: true, force: true });
  }
});

describe("NATS cluster node lost under load", () => {
  it("SIGKILL of the stream leader's node: requests go on, nothing is lost, the invariants hold", async () => {
    const stream = streamNameFor(t.stack.eventsPrefix);
    const before = await streamCluster(stream);
    expect(before.replicas, "the stream is replicated on three nodes").toBe(3);
    const victim = nodes.find((n) => n.name === before.leader) ?? nodes[0]!;

    const load = startLoad(t, { seats, customers: 6, durationMs: 60_000 });
    await sleep(4_000);
    await victim.server!.kill();
    try {
      await sleep(12_000); // the load goes on with two of three nodes
      load.stop();
      const stats = await load.done;
      const after = await streamCluster(stream);
      // Checked with the node still down: two nodes serve everything.
      await finishCase(t.stack, "NATS cluster: stream leader killed", stats, {
        notes: `killed ${victim.name} (stream leader); new leader ${after.leader}; checked with 2 of 3 nodes`,
      });
      expect(after.leader).not.toBe(victim.name);
    } finally {
      load.stop();
      await startNode(victim); // whole again (the harness's cleanup reaches NATS through the last URL)
    }
    await waitFor(async () => (await streamCluster(stream)).peers.find((p) => p.name === victim.name)?.current === true, { timeoutMs: 30_000, intervalMs: 500 });
  });
});
