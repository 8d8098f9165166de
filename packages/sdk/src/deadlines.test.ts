/** The SDK's deadlines: its timeout, the caller's signal, and walking paged lists. */

import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Staffgate } from "./client.ts";
import { DEFAULT_TIMEOUT_MS, StaffgateNetworkError, StaffgateTimeoutError } from "./http.ts";
import { allItems } from "./pages.ts";

/** A fetch that answers only when told to, and fails as fetch does when its signal aborts. */
function heldFetch() {
  const calls: { signal: AbortSignal; answer: (r: Response) => void }[] = [];
  const fetch = (_url: string, init: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal as AbortSignal;
      signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
      calls.push({ signal, answer: resolve });
    });
  return { calls, fetch };
}

/** A body that sends its first bytes and then waits for `release` (or fails when aborted). */
function slowBody(signal: AbortSignal) {
  let release = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"items":'));
      signal.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
      release = () => {
        controller.enqueue(new TextEncoder().encode("[]}"));
        controller.close();
      };
    },
  });
  return { response: new Response(body, { status: 200 }), release: () => release() };
}

const settled = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe("the SDK's timeout", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fails a call with no answer after the default 30 s, as StaffgateTimeoutError (a network error)", async () => {
    vi.useFakeTimers();
    const held = heldFetch();
    const sg = new Staffgate({ baseUrl: "http://127.0.0.1:1", fetch: held.fetch });
    const call = settled(sg.workspaces.list());
    await vi.advanceTimersByTimeAsync(DEFAULT_TIMEOUT_MS - 1);
    expect(held.calls[0]!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { error } = (await call) as { error: StaffgateTimeoutError };
    expect(error).toBeInstanceOf(StaffgateTimeoutError);
    expect(error).toBeInstanceOf(StaffgateNetworkError);
    expect(error.timeoutMs).toBe(30_000);
    expect(error.message).toBe("Staffgate did not answer within 30000 ms at http://127.0.0.1:1");
  });

  it("counts the answer's body in a call's time, and withTimeout changes it", async () => {
    vi.useFakeTimers();
    const held = heldFetch();
    const sg = new Staffgate({ baseUrl: "http://127.0.0.1:1", fetch: held.fetch }).withTimeout(2000);
    const call = settled(sg.workspaces.list());
    await vi.advanceTimersByTimeAsync(1500);
    held.calls[0]!.answer(slowBody(held.calls[0]!.signal).response);
    await vi.advanceTimersByTimeAsync(500);
    expect(((await call) as { error: unknown }).error).toBeInstanceOf(StaffgateTimeoutError);
  });

  it("gives a raw call until the answer's headers: its body may take longer (an export)", async () => {
    vi.useFakeTimers();
    const held = heldFetch();
    const sg = new Staffgate({ baseUrl: "http://127.0.0.1:1", fetch: held.fetch, timeoutMs: 1000 });
    const call = sg.transport.raw("GET", "/api/v1/audit/export");
    await vi.advanceTimersByTimeAsync(10);
    const body = slowBody(held.calls[0]!.signal);
    held.calls[0]!.answer(body.response);
    const res = await call;
    await vi.advanceTimersByTimeAsync(5000);
    body.release();
    expect(await res.text()).toBe('{"items":[]}');
  });

  it("counts an export's whole body (its text is the answer), and ends it with the caller's signal", async () => {
    vi.useFakeTimers();
    const held = heldFetch();
    const sg = new Staffgate({ baseUrl: "http://127.0.0.1:1", fetch: held.fetch }).withTimeout(1000);
    const call = settled(sg.audit.export({ format: "jsonl" }));
    await vi.advanceTimersByTimeAsync(10);
    held.calls[0]!.answer(slowBody(held.calls[0]!.signal).response);
    await vi.advanceTimersByTimeAsync(1000);
    expect(((await call) as { error: unknown }).error).toBeInstanceOf(StaffgateTimeoutError);

    const abort = new AbortController();
    const stoppable = sg.withTimeout(0).withSignal(abort.signal);
    const exporting = settled(stoppable.users.export());
    await vi.advanceTimersByTimeAsync(10);
    held.calls[1]!.answer(slowBody(held.calls[1]!.signal).response);
    await vi.advanceTimersByTimeAsync(10);
    abort.abort("the page was closed");
    expect(((await exporting) as { error: unknown }).error).toBe("the page was closed");
  });

  it("takes Infinity as no timeout and more than setTimeout can hold as its longest, never as one that fires at once", async () => {
    vi.useFakeTimers();
    const held = heldFetch();
    for (const timeoutMs of [Number.POSITIVE_INFINITY, 2 ** 40]) {
      const sg = new Staffgate({ baseUrl: "http://127.0.0.1:1", fetch: held.fetch, timeoutMs });
      const call = sg.workspaces.list();
      await vi.advanceTimersByTimeAsync(10 * DEFAULT_TIMEOUT_MS);
      const last = held.calls.at(-1)!;
      expect(last.signal.aborted).toBe(false);
      last.answer(Response.json({ items: [], nextCursor: null }));
      await call;
    }
  });

  it("waits as long as the connection lives with timeoutMs 0", async () => {
    vi.useFakeTimers();
    const held = heldFetch();
    const sg = new Staffgate({ baseUrl: "http://127.0.0.1:1", fetch: held.fetch, timeoutMs: 0 });
    const call = sg.workspaces.list();
    await vi.advanceTimersByTimeAsync(10 * DEFAULT_TIMEOUT_MS);
    expect(held.calls[0]!.signal.aborted).toBe(false);
    held.calls[0]!.answer(Response.json({ items: [], nextCursor: null }));
    expect(await call).toEqual({ items: [], nextCursor: null });
  });

  it("ends a call on a server that accepts the connection and never answers (real sockets)", async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const sg = new Staffgate({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 });
      const { error } = (await settled(
        sg.access.check({ userId: "usr_x", permission: "patients.read" }),
      )) as {
        error: unknown;
      };
      expect(error).toBeInstanceOf(StaffgateTimeoutError);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("the caller's signal", () => {
  it("ends the call with the signal's reason, and an aborted signal sends nothing", async () => {
    const held = heldFetch();
    const abort = new AbortController();
    const sg = new Staffgate({ baseUrl: "http://127.0.0.1:1", fetch: held.fetch }).withSignal(abort.signal);
    const call = settled(sg.workspaces.list());
    await new Promise((r) => setImmediate(r));
    const reason = new Error("the clinician closed the page");
    abort.abort(reason);
    expect(((await call) as { error: unknown }).error).toBe(reason);
    expect(held.calls).toHaveLength(1);
    expect(((await settled(sg.workspaces.list())) as { error: unknown }).error).toBe(reason);
    expect(held.calls).toHaveLength(1);
  });

  it("stays with the client through withToken and withTimeout", async () => {
    const held = heldFetch();
    const abort = new AbortController();
    const sg = new Staffgate({ baseUrl: "http://127.0.0.1:1", fetch: held.fetch })
      .withSignal(abort.signal)
      .withToken("sgs_other")
      .withTimeout(5000);
    abort.abort("gone");
    expect(((await settled(sg.workspaces.list())) as { error: unknown }).error).toBe("gone");
    expect(held.calls).toHaveLength(0);
  });
});

describe("allItems", () => {
  it("walks every page in order, asking for the next one only when the loop needs it", async () => {
    const asked: (string | undefined)[] = [];
    const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
      first: { items: [1, 2], nextCursor: "b" },
      b: { items: [], nextCursor: "c" },
      c: { items: [3], nextCursor: null },
    };
    const load = async (cursor: string | undefined) => {
      asked.push(cursor);
      return pages[cursor ?? "first"]!;
    };
    const seen: number[] = [];
    for await (const n of allItems(load)) {
      seen.push(n);
      if (n === 2) expect(asked).toEqual([undefined]);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(asked).toEqual([undefined, "b", "c"]);
  });
});
