// One argon2 worker thread of the password hasher's pool (password-hasher.ts, shared/worker-pool.ts).
// Plain JavaScript so that it loads the same under `node --import tsx`, vitest and plain node,
// without a TypeScript loader inside the worker.
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { hashSync, verifySync } from "@node-rs/argon2";

// Lower this thread's priority (nice 10) so that the event loop, which serves every other
// request, gets a core whenever it has work, and argon2 takes what is left. On Linux a thread
// has its own id (/proc/thread-self → "<pid>/task/<tid>") and setpriority() on it affects this
// thread only. Raising one's own nice value needs no privilege. Best effort elsewhere.
try {
  const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // Not Linux, or no /proc: the thread keeps the process's priority.
}

parentPort?.on("message", ({ id, request }) => {
  try {
    const value =
      request.op === "hash"
        ? hashSync(request.password, request.params)
        : verifySync(request.hash, request.password);
    parentPort?.postMessage({ id, ok: true, value });
  } catch (error) {
    parentPort?.postMessage({ id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
