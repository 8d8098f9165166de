import { describe, expect, it } from "vitest";
import { turnBatch } from "./turn-batch.ts";

describe("turnBatch (group reads)", () => {
  it("answers the calls of one turn with one run, each with its own value, in order", async () => {
    const runs: number[][] = [];
    const double = turnBatch(async (keys: readonly number[]) => {
      runs.push([...keys]);
      return keys.map((k) => k * 2);
    });
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(runs).toEqual([[1, 2, 3]]);
  });

  it("never answers a call from a run that started before it was made", async () => {
    const runs: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const read = turnBatch(async (keys: readonly number[]) => {
      runs.push([...keys]);
      if (runs.length === 1) await gate;
      return keys;
    });
    const first = read(1);
    await new Promise((resolve) => setImmediate(resolve)); // the first run has started
    const later = [read(2), read(3)];
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(later)).toEqual([2, 3]);
    expect(runs).toEqual([[1], [2, 3]]);
  });

  it("does not let a stalled run hold the next calls back for longer than slowMs", async () => {
    const stuck = new Promise<never>(() => {});
    let first = true;
    const read = turnBatch(async (keys: readonly number[]) => {
      if (first) {
        first = false;
        return stuck;
      }
      return keys;
    }, 20);
    void read(1); // never answered
    await new Promise((resolve) => setImmediate(resolve));
    expect(await read(2)).toBe(2);
  });

  it("gives a failed run's error to every call in it, and the next calls run afresh", async () => {
    let fail = true;
    const read = turnBatch(async (keys: readonly number[]) => {
      if (fail) throw new Error("database down");
      return keys;
    });
    const results = await Promise.allSettled([read(1), read(2)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect(await read(3)).toBe(3);
  });
});
