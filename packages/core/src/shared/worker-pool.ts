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
  /** Tasks waiting for a worker (not those running or held in a worker's inbox). */
  readonly queued: number;
  /** Ends every worker; queued and running tasks are rejected. */
  close(): Promise<void>;
}

/**
 * Protocol: the worker answers each `{ id, request }` with `{ id, ok: true, value }` or
 * `{ id, ok: false, error }` (a message), in order.
 *
 * Each busy worker also holds the next task in its inbox (`AHEAD`): it starts that one the moment
 * it finishes, instead of sleeping until the event loop has handled its answer and sent it more
 * work (under load the event loop is busy and the thread waits for a core, so each hand-over
 * would leave a core to argon2's competitors for a fraction of a millisecond, per hash). A task
 * goes ahead only to a worker that is already busy, and only when no worker is idle.
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
    /** Sent to this worker, in order: the first is running, the rest wait in its inbox. */
    readonly tasks: Task[];
  }
  /** Tasks held by one worker at most: the running one and the next. */
  const AHEAD = 2;
  const slots = new Set<Slot>();
  const queue: Task[] = [];
  let nextId = 0;
  let closed = false;

  const start = (): Slot => {
    // The worker files are plain JavaScript: without the parent's flags (`--import tsx`) a worker
    // starts in a third of the time.
    const slot: Slot = { worker: new Worker(file, { execArgv: [] }), tasks: [] };
    slot.worker.unref();
    slot.worker.on("message", (m: { id: number; ok: boolean; value?: Res; error?: string }) => {
      const task = slot.tasks[0];
      if (!task || task.id !== m.id) return;
      slot.tasks.shift();
      // Refill first, so the worker's inbox is never empty while the answer is handled.
      fill(slot);
      if (m.ok) task.resolve(m.value as Res);
      else task.reject(new Error(m.error ?? "worker task failed"));
    });
    // An uncaught error ends the worker ('exit' follows): its running task fails; the tasks in its
    // inbox never started, so they go back to the head of the queue for a new worker.
    slot.worker.on("error", (error) => fail(slot, error));
    slot.worker.on("exit", (code) => fail(slot, new Error(`worker exited with code ${code}`)));
    slots.add(slot);
    return slot;
  };

  const fail = (slot: Slot, error: Error) => {
    if (!slots.delete(slot)) return;
    const [running, ...waiting] = slot.tasks.splice(0);
    running?.reject(error);
    queue.unshift(...waiting);
    if (!closed && queue.length > 0) fill(start());
  };

  /** Sends `slot` queued tasks up to `limit` held; an idle worker does not hold the process open. */
  const fill = (slot: Slot, limit = AHEAD) => {
    while (slot.tasks.length < limit && queue.length > 0) {
      const task = queue.shift()!;
      slot.tasks.push(task);
      slot.worker.postMessage({ id: task.id, request: task.request });
    }
    if (slot.tasks.length > 0) slot.worker.ref();
    else slot.worker.unref();
  };

  return {
    get queued() {
      return queue.length;
    },
    run(request) {
      if (closed) return Promise.reject(new Error("worker pool is closed"));
      return new Promise<Res>((resolve, reject) => {
        queue.push({ id: nextId++, request, resolve, reject });
        // An idle worker first, then a new one, and only then the inbox of a busy one.
        let idle: Slot | undefined;
        let ahead: Slot | undefined;
        for (const s of slots) {
          if (s.tasks.length === 0) idle = s;
          else if (s.tasks.length < AHEAD && (!ahead || s.tasks.length < ahead.tasks.length)) ahead = s;
        }
        if (idle) fill(idle, 1);
        else if (slots.size < size) fill(start(), 1);
        else if (ahead) fill(ahead);
      });
    },
    async close() {
      closed = true;
      const error = new Error("worker pool is closed");
      for (const task of queue.splice(0)) task.reject(error);
      const ending = [...slots];
      slots.clear();
      for (const s of ending) for (const task of s.tasks.splice(0)) task.reject(error);
      await Promise.all(ending.map((s) => s.worker.terminate()));
    },
  };
}
