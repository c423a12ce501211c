// NATS restarted mid-run: state changes keep committing, their events wait in the outboxes, and
// after the restart every one is delivered: nothing lost, nothing applied twice.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startNatsServer } from "../scripts/lib/infra.ts";
import { startTestStack, waitFor, type TestStack } from "./harness.ts";
import { bookableScreening, reserve } from "./fixtures.ts";

let t: TestStack;
let nats: Awaited<ReturnType<typeof startNatsServer>>;
let port: number;
const storeDir = mkdtempSync(path.join(os.tmpdir(), "cinema-nats-"));

beforeAll(async () => {
  // This file's own nats-server, so stopping it disturbs nothing else on the machine.
  port = await freePort();
  nats = await startNatsServer({ port, storeDir });
  t = await startTestStack({ natsUrl: nats.url });
});
afterAll(async () => {
  await t?.cleanup();
  await nats?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

describe("NATS outage", () => {
  it("loses no event: bookings and cancellations made while NATS was down reach my page after it returns", async () => {
    const s = await bookableScreening(t, { rows: 2, seatsPerRow: 10 });
    const token = await t.tokenFor("nina", "customer");
    const before = await reserve(t, "nina", { screeningId: s.id, seats: ["A-1"] });
    expect(before.data.reserve.status).toBe("CONFIRMED");

    await nats.stop();
    const during: string[] = [];
    try {
      for (let i = 2; i <= 6; i++) {
        const res = await reserve(t, "nina", { screeningId: s.id, seats: [`A-${i}`] });
        expect(res.data?.reserve?.status, JSON.stringify(res.errors)).toBe("CONFIRMED");
        during.push(res.data.reserve.id);
      }
      const cancelled = await t.gql(`mutation ($id: ID!) { cancelReservation(id: $id) { status } }`, { id: before.data.reserve.id }, { token });
      expect(cancelled.data.cancelReservation.status).toBe("CANCELLED");
      const pending = await t.sql("reservation", `SELECT count(*)::int AS n FROM outbox_event WHERE sent_at IS NULL`);
      expect(pending[0].n).toBeGreaterThanOrEqual(6);
    } finally {
      nats = await startNatsServer({ port, storeDir });
    }

    const all = await waitFor(async () => {
      const res = await t.gql(`{ myReservations(first: 50) { nodes { id status paymentStatus seatsReleased ticketStatus } } }`, {}, { token });
      const nodes = res.data?.myReservations?.nodes ?? [];
      const done = nodes.length === 6 && nodes.every((n: any) => n.ticketStatus) && nodes.some((n: any) => n.seatsReleased);
      return done ? nodes : null;
    }, { timeoutMs: 30_000 });
    expect(new Set(all.map((n: any) => n.id))).toEqual(new Set([before.data.reserve.id, ...during]));
    expect(all.find((n: any) => n.id === before.data.reserve.id)).toMatchObject({ status: "CANCELLED", paymentStatus: "REFUNDED", seatsReleased: true, ticketStatus: "VOID" });
    for (const subgraph of ["movie", "reservation", "payment", "seat"] as const) {
      expect(await t.sql(subgraph, `SELECT count(*)::int AS n FROM outbox_event WHERE sent_at IS NULL`)).toEqual([{ n: 0 }]);
    }
    expect(await t.sql("mypage", `SELECT count(*)::int AS n FROM my_reservation`)).toEqual([{ n: 6 }]);
  });
});
