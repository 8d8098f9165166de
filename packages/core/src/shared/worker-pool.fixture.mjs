// A test worker for worker-pool.test.ts: records how many tasks run at once (in shared memory),
// holds each task for `ms`, then echoes, fails, or crashes the thread.
import { parentPort } from "node:worker_threads";

parentPort?.on("message", ({ id, request }) => {
  const { counters, ms, value, fail, crash } = request;
  const active = counters ? new Int32Array(counters) : null;
  if (active) {
    const now = Atomics.add(active, 0, 1) + 1;
    // active[1] is the peak seen so far.
    for (let peak = Atomics.load(active, 1); now > peak; peak = Atomics.load(active, 1))
      if (Atomics.compareExchange(active, 1, peak, now) === peak) break;
  }
  if (ms) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  if (active) Atomics.sub(active, 0, 1);
  if (crash) throw new Error("crashed");
  if (fail) parentPort?.postMessage({ id, ok: false, error: fail });
  else parentPort?.postMessage({ id, ok: true, value });
});
