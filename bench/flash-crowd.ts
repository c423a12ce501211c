// The flash crowd with the waiting room on: 1,000 customers arrive at once for a screening of 10
// seats, as the web app does it — each opens a WebSocket and subscribes to waitingRoom (which joins
// the line), waits for the pass, then reads the seat map and books a free seat with it. Measured:
// the time to each customer's first answer (a place in line, or a typed refusal), the seats sold,
// and the places in line of those who bought them.
import { randomUUID } from "node:crypto";
import { WebSocket } from "ws";
import { createClient, type Client } from "graphql-ws";
import { signToken } from "@cinema/platform/auth";
import { summarize, type LoadResult, type Outcome } from "./load.ts";

const WATCH = `subscription ($s: ID!) { waitingRoom(screeningId: $s) { number position pass } }`;
const SEATS = `query ($id: ID!) { screening(id: $id) { seats { label status } } }`;
const RESERVE = `mutation ($i: ReserveInput!) { reserve(input: $i) { id status } }`;

export interface FlashCrowdResult {
  firstAnswer: LoadResult;
  sold: number;
  /** Places in line (numbers) of the customers who bought, sorted. */
  buyerNumbers: number[];
  /** How many had been admitted when the last seat sold. */
  admittedAtSellOut: number;
  seconds: number;
  /** p50/p99 ms from arrival until the socket was acknowledged (the part before any waiting-room work). */
  connectedP50: number;
  connectedP99: number;
}


/** `screeningId` has 10 seats and its waiting room is on. */
export async function flashCrowd(gatewayUrl: string, screeningId: string, customers = 1000, timeoutMs = 60_000): Promise<FlashCrowdResult> {
  const tokens = await Promise.all(Array.from({ length: customers }, (_, i) => signToken(`crowd-${i}`, "customer")));
  const clients: Client[] = [];
  const firstAnswers: Outcome[] = [];
  const connected: number[] = [];
  const buyers: number[] = [];
  let admitted = 0;
  let admittedAtSellOut = 0;
  let soldOut = false;
  let finish: () => void = () => {};
  const over = new Promise<void>((resolve) => (finish = resolve));
  const post = async (query: string, variables: Record<string, unknown>, token: string): Promise<{ data?: any; errors?: { extensions?: { code?: string } }[] }> => {
    try {
      const res = await fetch(gatewayUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    } catch {
      return { errors: [{ extensions: { code: "NETWORK" } }] };
    }
  };

  // An admitted customer: the seat map, then a free seat with the pass (again if someone was faster).
  const buy = async (token: string, number: number, pass: string) => {
    for (let attempt = 0; attempt < 5 && !soldOut; attempt++) {
      const map = await post(SEATS, { id: screeningId }, token);
      const free = (map.data?.screening?.seats ?? []).filter((s: { status: string }) => s.status === "AVAILABLE");
      if (!free.length) return;
      const seat = free[Math.floor(Math.random() * free.length)].label;
      const res = await post(RESERVE, { i: { screeningId, seats: [seat], paymentToken: "tok_visa", idempotencyKey: randomUUID(), pass } }, token);
      if (res.data?.reserve?.status === "CONFIRMED") {
        buyers.push(number);
        if (buyers.length === 10) {
          soldOut = true;
          admittedAtSellOut = admitted;
          finish();
        }
        return;
      }
      const code = res.errors?.[0]?.extensions?.code;
      if (code !== "SEAT_UNAVAILABLE" && code !== "SERVICE_UNAVAILABLE") return;
    }
  };

  const started = performance.now();
  const arrive = (token: string) =>
    new Promise<void>((done) => {
      let answered = false;
      const answer = (kind: string) => {
        if (answered) return;
        answered = true;
        firstAnswers.push({ kind, ms: performance.now() - started });
      };
      const client = createClient({ url: gatewayUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 3, lazy: false, on: { connected: () => void connected.push(performance.now() - started) } });
      clients.push(client);
      let retries = 0;
      const subscribe = () =>
        client.subscribe<{ waitingRoom: { number: number; position: number; pass: string | null } }>({ query: WATCH, variables: { s: screeningId } }, {
          next: (r) => {
            const code = r.errors?.[0]?.extensions?.code as string | undefined;
            if (code) return void answer(code);
            answer("ok");
            const status = r.data!.waitingRoom;
            if (status.pass) {
              admitted++;
              void buy(token, status.number, status.pass).finally(done);
            }
          },
          error: (e) => {
            const code = Array.isArray(e) ? (e[0]?.extensions?.code as string | undefined) : undefined;
            answer(code ?? "error");
            // A refusal that says "later" (load shedding): come back once, as the web app would.
            if (code === "SERVICE_UNAVAILABLE" && retries++ < 5 && !soldOut) setTimeout(subscribe, 500 + Math.random() * 1000);
            else done();
          },
          complete: () => {},
        });
      subscribe();
    });
  const everyone = Promise.all(tokens.map(arrive));
  await Promise.race([over, everyone, new Promise((r) => setTimeout(r, timeoutMs))]);
  const seconds = (performance.now() - started) / 1000;
  // Whoever got no answer at all by the end counts as a failure at the full time.
  for (let i = firstAnswers.length; i < customers; i++) firstAnswers.push({ kind: "error", ms: seconds * 1000 });
  await Promise.all(clients.map((c) => c.dispose()));
  buyers.sort((a, b) => a - b);
  connected.sort((a, b) => a - b);
  const at = (p: number) => Math.round(connected[Math.min(connected.length - 1, Math.floor(p * connected.length))] ?? 0);
  return {
    connectedP50: at(0.5),
    connectedP99: at(0.99), firstAnswer: summarize(`flash crowd, waiting room on: first answer (${customers} customers, 10 seats)`, firstAnswers, seconds), sold: buyers.length, buyerNumbers: buyers, admittedAtSellOut, seconds };
}
