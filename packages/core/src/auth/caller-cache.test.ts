import { describe, expect, it } from "vitest";
import type { ChangeWatch } from "../db/database.ts";
import { createCallerCache } from "./caller-cache.ts";

function fakeWatch() {
  const state = { own: 0, data: 1, tx: false, dataReads: 0 };
  const watch: ChangeWatch = {
    ownWrites: () => state.own,
    dataVersion: () => {
      state.dataReads += 1;
      return state.data;
    },
    inTransaction: () => state.tx,
  };
  return { state, watch };
}

describe("caller cache (kept token rows)", () => {
  it("gives back a row only while nothing was committed since it was read", async () => {
    const { state, watch } = fakeWatch();
    const cache = createCallerCache<string>(watch);
    expect(cache.fresh("k")).toBeUndefined();
    cache.keep("k", cache.mark(), "row");
    expect((await cache.fresh("k"))?.row).toBe("row");

    state.data += 1; // another process committed
    expect(await cache.fresh("k")).toBeUndefined();
    expect(cache.fresh("k")).toBeUndefined(); // and the row is gone

    cache.keep("k", cache.mark(), "row2");
    state.own += 1; // this process wrote
    expect(cache.fresh("k")).toBeUndefined();
  });

  it("sees a commit made after the request asked but before the shared read", async () => {
    const { state, watch } = fakeWatch();
    const cache = createCallerCache<string>(watch);
    cache.keep("k", cache.mark(), "row");
    const pending = cache.fresh("k");
    state.data += 1;
    expect(await pending).toBeUndefined();
  });

  it("trusts nothing while a transaction is open on the connection", async () => {
    const { state, watch } = fakeWatch();
    const cache = createCallerCache<string>(watch);
    state.tx = true;
    cache.keep("k", cache.mark(), "row"); // read inside a transaction: not kept
    state.tx = false;
    expect(cache.fresh("k")).toBeUndefined();

    cache.keep("k", cache.mark(), "row");
    state.tx = true;
    expect(await cache.fresh("k")).toBeUndefined();
  });

  it("reads data_version once for all the requests of one turn", async () => {
    const { state, watch } = fakeWatch();
    const cache = createCallerCache<string>(watch);
    for (let i = 0; i < 5; i++) cache.keep(`k${i}`, cache.mark(), `row${i}`);
    const before = state.dataReads;
    const rows = await Promise.all([0, 1, 2, 3, 4].map((i) => cache.fresh(`k${i}`)));
    expect(rows.map((r) => r?.row)).toEqual(["row0", "row1", "row2", "row3", "row4"]);
    expect(state.dataReads - before).toBe(1);
  });

  it("keeps nothing without a watch (PostgreSQL)", () => {
    const cache = createCallerCache<string>(undefined);
    cache.keep("k", cache.mark(), "row");
    expect(cache.fresh("k")).toBeUndefined();
  });
});
