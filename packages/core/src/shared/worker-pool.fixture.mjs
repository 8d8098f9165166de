// A test worker for worker-pool.test.ts: records how many tasks run at once (in shared memory),
// holds each task for `ms` (first waiting, up to `meetMs`, until `meet` tasks run at once), then
// echoes, fails, or crashes the thread.
import { parentPort } from "node:worker_threads";

parentPort?.on("message", ({ id, request }) => {
  const { counters, ms, value, fail, crash, meet, meetMs = 5000 } = request;
  const active = counters ? new Int32Array(counters) : null;
  if (active) {
    const now = Atomics.add(active, 0, 1) + 1;
    // active[1] is the peak seen so far.
    for (let peak = Atomics.load(active, 1); now > peak; peak = Atomics.load(active, 1))
      if (Atomics.compareExchange(active, 1, peak, now) === peak) break;
    Atomics.notify(active, 0);
    // A rendezvous rather than a fixed hold: a worker that starts late on a loaded machine still
    // meets the others, and a pool that never runs `meet` at once still fails after meetMs.
    const deadline = Date.now() + meetMs;
    for (
      let n = Atomics.load(active, 0);
      meet && n < meet && Date.now() < deadline;
      n = Atomics.load(active, 0)
    )
      Atomics.wait(active, 0, n, deadline - Date.now());
  }
  if (ms) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  if (active) Atomics.sub(active, 0, 1);
  if (crash) throw new Error("crashed");
  if (fail) parentPort?.postMessage({ id, ok: false, error: fail });
  else parentPort?.postMessage({ id, ok: true, value });
});
