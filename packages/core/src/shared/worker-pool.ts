/**
 * A fixed-size pool of worker threads running one task each at a time, FIFO. Used for argon2
 * (auth/argon2-worker.mjs): a CPU-bound task on a dedicated thread, whose priority the worker can
 * lower, instead of on libuv's shared thread pool, whose threads run at the event loop's priority.
 *
 * Workers start on first use (a CLI command or a test that never hashes pays nothing), hold the
 * process open only while they have a task (so an awaited hash is never cut short, and an idle
 * pool never keeps the process alive), and are replaced if one dies.
 */
import { Worker } from "node:worker_threads";

export interface WorkerPool<Req, Res> {
  run(request: Req): Promise<Res>;
  /** Ends every worker; queued and running tasks are rejected. */
  close(): Promise<void>;
}

/**
 * Protocol: the worker answers each `{ id, request }` with `{ id, ok: true, value }` or
 * `{ id, ok: false, error }` (a message), in order.
 */
export function createWorkerPool<Req, Res>(file: URL, size: number): WorkerPool<Req, Res> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be ≥ 1, got ${size}`);
  interface Task {
    readonly id: number;
    readonly request: Req;
    readonly resolve: (value: Res) => void;
    readonly reject: (error: Error) => void;
  }
  interface Slot {
    readonly worker: Worker;
    task: Task | null;
  }
  const slots = new Set<Slot>();
  const queue: Task[] = [];
  let nextId = 0;
  let closed = false;

  const start = (): Slot => {
    // The worker files are plain JavaScript: without the parent's flags (`--import tsx`) a worker
    // starts in a third of the time.
    const slot: Slot = { worker: new Worker(file, { execArgv: [] }), task: null };
    slot.worker.unref();
    slot.worker.on("message", (m: { id: number; ok: boolean; value?: Res; error?: string }) => {
      const task = slot.task;
      if (!task || task.id !== m.id) return;
      slot.task = null;
      if (m.ok) task.resolve(m.value as Res);
      else task.reject(new Error(m.error ?? "worker task failed"));
      dispatch(slot);
    });
    // An uncaught error ends the worker ('exit' follows); its task fails, the next task gets a new one.
    slot.worker.on("error", (error) => fail(slot, error));
    slot.worker.on("exit", (code) => fail(slot, new Error(`worker exited with code ${code}`)));
    slots.add(slot);
    return slot;
  };

  const fail = (slot: Slot, error: Error) => {
    if (!slots.delete(slot)) return;
    slot.task?.reject(error);
    slot.task = null;
    if (!closed && queue.length > 0) dispatch(start());
  };

  /** Gives `slot` the next queued task, or lets it idle without holding the process open. */
  const dispatch = (slot: Slot) => {
    const task = queue.shift();
    if (!task) {
      slot.worker.unref();
      return;
    }
    slot.task = task;
    slot.worker.ref();
    slot.worker.postMessage({ id: task.id, request: task.request });
  };

  return {
    run(request) {
      if (closed) return Promise.reject(new Error("worker pool is closed"));
      return new Promise<Res>((resolve, reject) => {
        queue.push({ id: nextId++, request, resolve, reject });
        let idle: Slot | undefined;
        for (const s of slots) if (!s.task) idle = s;
        if (idle) dispatch(idle);
        else if (slots.size < size) dispatch(start());
      });
    },
    async close() {
      closed = true;
      const error = new Error("worker pool is closed");
      for (const task of queue.splice(0)) task.reject(error);
      const ending = [...slots];
      slots.clear();
      for (const s of ending) s.task?.reject(error);
      await Promise.all(ending.map((s) => s.worker.terminate()));
    },
  };
}
