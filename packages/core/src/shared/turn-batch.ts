/**
 * Calls answered together by one `run`, as in a database's group commit: a call made while no run
 * is in flight is run in this turn's check phase (setImmediate), with every other call made in
 * the same turn; calls made while a run is in flight wait for it to end and then go together in
 * the next one. A run only ever answers calls made before it started — each request already read
 * from its socket — so a read made by `run` is as fresh for each of them as a read of its own
 * (auth/authenticate.ts relies on this: a change acknowledged before a request was sent is seen).
 * Under load, many requests share one database round trip; alone, a call waits one turn.
 *
 * Calls that have waited `slowMs` for a run in flight (a stalled connection) start their own, so
 * one stuck statement cannot hold every request back.
 */
export function turnBatch<K, V>(
  run: (keys: readonly K[]) => Promise<readonly V[]>,
  slowMs = 100,
): (key: K) => Promise<V> {
  let keys: K[] = [];
  let waiters: { resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];
  let running = 0;
  let scheduled = false;
  let slowTimer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    scheduled = false;
    if (slowTimer !== undefined) clearTimeout(slowTimer);
    slowTimer = undefined;
    const asked = keys;
    const waiting = waiters;
    keys = [];
    waiters = [];
    running += 1;
    const done = () => {
      running -= 1;
      if (keys.length > 0 && running === 0) schedule();
    };
    run(asked).then(
      (values) => {
        done();
        for (let i = 0; i < waiting.length; i++) waiting[i]!.resolve(values[i] as V);
      },
      (error: unknown) => {
        done();
        for (const w of waiting) w.reject(error);
      },
    );
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return (key) =>
    new Promise<V>((resolve, reject) => {
      keys.push(key);
      waiters.push({ resolve, reject });
      if (running === 0) schedule();
      else slowTimer ??= setTimeout(schedule, slowMs);
    });
}
