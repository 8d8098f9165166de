import { afterEach, describe, expect, it } from "vitest";
import { createWorkerPool, type WorkerPool } from "./worker-pool.ts";

interface Req {
  readonly value?: number;
  readonly ms?: number;
  readonly counters?: SharedArrayBuffer;
  readonly meet?: number;
  readonly meetMs?: number;
  readonly fail?: string;
  readonly crash?: boolean;
}

const FIXTURE = new URL("./worker-pool.fixture.mjs", import.meta.url);
const pools: WorkerPool<Req, number>[] = [];
const pool = (size: number) => {
  const p = createWorkerPool<Req, number>(FIXTURE, size);
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe("worker pool", () => {
  it("answers every task with its own result", async () => {
    const p = pool(3);
    const values = Array.from({ length: 20 }, (_, i) => i);
    expect(await Promise.all(values.map((value) => p.run({ value, ms: value % 3 })))).toEqual(values);
  });

  it("runs at most `size` tasks at a time, and uses all of them", async () => {
    const p = pool(2);
    const counters = new SharedArrayBuffer(8);
    await Promise.all(Array.from({ length: 8 }, (_, value) => p.run({ value, ms: 5, counters, meet: 2 })));
    expect(new Int32Array(counters)[1]).toBe(2);
  });

  it("a pool of one never meets a rendezvous of two: the peak stays 1 (the rendezvous fakes nothing)", async () => {
    const p = pool(1);
    const counters = new SharedArrayBuffer(8);
    await Promise.all(
      Array.from({ length: 2 }, (_, value) => p.run({ value, counters, meet: 2, meetMs: 50 })),
    );
    expect(new Int32Array(counters)[1]).toBe(1);
  });

  it("starts queued tasks in order (FIFO)", async () => {
    const p = pool(1);
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, value) => p.run({ value, ms: 2 }).then((v) => done.push(v))),
    );
    expect(done).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("rejects a failed task and keeps serving", async () => {
    const p = pool(1);
    await expect(p.run({ fail: "bad input" })).rejects.toThrow("bad input");
    expect(await p.run({ value: 7 })).toBe(7);
  });

  it("rejects the task of a worker that died and replaces the worker", async () => {
    const p = pool(1);
    const crashed = p.run({ crash: true });
    const next = p.run({ value: 8 });
    await expect(crashed).rejects.toThrow("crashed");
    expect(await next).toBe(8);
  });

  it("close() rejects running and queued tasks, then refuses new ones", async () => {
    const p = pool(1);
    // Expectations attached before close(), which rejects both at once.
    const running = expect(p.run({ value: 1, ms: 200 })).rejects.toThrow("closed");
    const queued = expect(p.run({ value: 2 })).rejects.toThrow("closed");
    await p.close();
    await Promise.all([running, queued]);
    await expect(p.run({ value: 3 })).rejects.toThrow("closed");
  });

  it("refuses a size below 1", () => {
    expect(() => createWorkerPool(FIXTURE, 0)).toThrow(RangeError);
  });
});
