// Sums a V8 heap snapshot (.heapsnapshot: `node --heapsnapshot-signal=SIGUSR2`, then `kill -USR2`)
// by what holds the memory: self size per node type and constructor, and the compiled code and
// strings by the script they come from.
//   npx tsx bench/heap-summary.ts Heap.….heapsnapshot [top=25]
import { readFileSync } from "node:fs";
import { packageOf } from "./profile-summary.ts";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function summarizeHeap(snap: Snapshot, top = 25) {
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const types = snap.snapshot.meta.node_types[0];
  const byKind = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const size = snap.nodes[i + sizeAt]!;
    total += size;
    const name = snap.strings[snap.nodes[i + nameAt]!] ?? "";
    // Objects by constructor; code by the script it was compiled from; the rest by type.
    const kind =
      type === "object" ? `object ${name.slice(0, 60)}` : type === "code" ? `code ${name.includes("/") ? packageOf(name, name) : name.slice(0, 40)}` : type === "closure" ? "closures" : type;
    byKind.set(kind, (byKind.get(kind) ?? 0) + size);
  }
  const mib = (n: number) => (n / 2 ** 20).toFixed(1).padStart(6);
  return {
    totalMiB: Number((total / 2 ** 20).toFixed(1)),
    top: [...byKind].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, n]) => `${mib(n)} MiB  ${k}`),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error("usage: heap-summary.ts <file.heapsnapshot> [top]");
  const s = summarizeHeap(JSON.parse(readFileSync(file, "utf8")) as Snapshot, Number(top ?? 25));
  console.log(`heap ${s.totalMiB} MiB (self sizes)\n${s.top.join("\n")}`);
}
