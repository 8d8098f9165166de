/**
 * `--profile <file>`: a CPU profile of this process's main thread over one phase only (open the
 * .cpuprofile in Chrome DevTools or speedscope), instead of `node --cpu-prof` over the whole run.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

export async function profiled<T>(file: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}
