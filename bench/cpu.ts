/**
 * CPU accounting for bench/signin (Linux /proc; NaN elsewhere), in ms, from clock ticks of 10 ms:
 * - the server's main thread alone (process.cpuUsage() would also count the hasher's threads);
 * - how much of the machine other processes used meanwhile (other engineers' test runs share
 *   the cores), so a noisy phase can be told from a slow one.
 */
import { readFileSync } from "node:fs";

const TICK_MS = 10;

/** utime + stime of /proc/<path>/stat (a process, or one thread under task/). */
function ticks(path: string): number {
  const stat = readFileSync(`/proc/${path}/stat`, "utf8");
  // Fields after the ")" that closes the name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

export function mainThreadCpuMs(): number {
  try {
    return ticks(`self/task/${process.pid}`) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/** Busy ms of every core together, and of the given processes (ours). */
export function cpuSnapshot(pids: readonly number[]): { all: number; ours: number } {
  try {
    const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = values.map(Number) as number[];
    const all = user! + nice! + system! + irq! + softirq! + steal!;
    const ours = pids.reduce((sum, pid) => sum + ticks(String(pid)), 0);
    return { all: all * TICK_MS, ours: ours * TICK_MS };
  } catch {
    return { all: Number.NaN, ours: Number.NaN };
  }
}

/** Share of the machine (all cores) that other processes used between two snapshots over `ms`. */
export function othersShare(
  a: { all: number; ours: number },
  b: { all: number; ours: number },
  ms: number,
  cores: number,
): number {
  return Math.max(0, b.all - a.all - (b.ours - a.ours)) / (ms * cores);
}
