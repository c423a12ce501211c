// CPU and memory of processes, from /proc (Linux).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { Stack } from "../scripts/lib/stack.ts";
import { PROCESS_NAMES } from "../scripts/lib/subgraphs.ts";

/**
 * /proc/<pid>/stat: the command, and CPU time in ms (utime + stime, the 12th and 13th fields after
 * the parenthesised command, in clock ticks of 100/s); `childrenMs` is what its ended children used
 * (cutime + cstime). Undefined once the process is gone.
 */
export function procStat(pid: number | string): { comm: string; cpuMs: number; childrenMs: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return {
    comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
    childrenMs: (Number(fields[13]) + Number(fields[14])) * 10,
  };
}

/** Peak resident memory (VmHWM) of a process, MiB. */
export function peakRssMiB(pid: number): number | undefined {
  if (!existsSync(`/proc/${pid}/status`)) return undefined;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return hwm ? Math.round(Number(hwm[1]) / 1024) : undefined;
}

/** CPU time (ms) the whole machine has been busy: every core, every process (PostgreSQL and NATS too). */
export function machineBusyMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
}

/**
 * CPU time (ms) used so far by every process whose command is `comm`, with what their children
 * used before they ended (PostgreSQL backends that closed are counted in the postmaster's).
 */
export function cpuMsOf(comm: string): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const stat = procStat(pid);
    if (stat?.comm === comm) total += stat.cpuMs + stat.childrenMs;
  }
  return total;
}

/** CPU time (user + system, ms) each running process of a stack has used so far. */
export function stackCpuMs(stack: Pick<Stack, "pid">): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of PROCESS_NAMES) {
    const pid = stack.pid(name);
    const stat = pid ? procStat(pid) : undefined;
    if (stat) out[name] = stat.cpuMs;
  }
  return out;
}
