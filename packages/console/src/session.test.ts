import { Staffgate, StaffgateError } from "@staffgate/sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IdleTimer, ServerIdleClock } from "./components/idleClock.ts";
import { observeCalls } from "./session.tsx";

/** A client whose every call fails with `status` and `code`. */
function failing(status: number, code: string): Staffgate {
  const error = () => new StaffgateError({ type: "about:blank", title: code, status, code } as never);
  const transport: Staffgate["transport"] = {
    request: async () => {
      throw error();
    },
    raw: async () => new Response(null, { status }),
    text: async () => {
      throw error();
    },
    withToken: () => transport,
    withTimeout: () => transport,
  };
  return new Staffgate(transport);
}

describe("observeCalls", () => {
  const seen = async (status: number, code: string) => {
    const events: string[] = [];
    const api = observeCalls(failing(status, code), {
      answered: () => events.push("answered"),
      unauthenticated: () => events.push("unauthenticated"),
    });
    await api.auth.me().catch(() => undefined);
    return events;
  };

  it("asks beforeChange before every change, never before a read, and sends nothing it refuses", async () => {
    const sent: string[] = [];
    const transport: Staffgate["transport"] = {
      request: async (method: string) => {
        sent.push(method);
        return {} as never;
      },
      raw: async (method: string) => {
        sent.push(method);
        return new Response(null, { status: 204 });
      },
      text: async (method: string) => {
        sent.push(method);
        return "";
      },
      withToken: () => transport,
      withTimeout: () => transport,
    };
    let asked = 0;
    let refuse = false;
    const api = observeCalls(new Staffgate(transport), {
      answered: () => undefined,
      unauthenticated: () => undefined,
      beforeChange: async () => {
        asked++;
        if (refuse) throw new Error("not this page's session");
      },
    });
    await api.auth.me();
    await api.transport.raw("GET", "/api/v1/users");
    expect(asked).toBe(0);
    await api.transport.request("PATCH", "/api/v1/users/x");
    await api.transport.raw("DELETE", "/api/v1/workspaces/x");
    expect(asked).toBe(2);
    refuse = true;
    await expect(api.transport.request("POST", "/api/v1/users")).rejects.toThrow("not this page's session");
    await expect(api.transport.text("POST", "/api/v1/audit/purge")).rejects.toThrow(
      "not this page's session",
    );
    expect(sent).toEqual(["GET", "GET", "PATCH", "DELETE"]);
  });

  it("ends the session on 401 UNAUTHENTICATED only", async () => {
    expect(await seen(401, "UNAUTHENTICATED")).toEqual(["unauthenticated"]);
  });

  it("counts a step-up's 401 as an answer (the session stands and was touched)", async () => {
    expect(await seen(401, "REAUTHENTICATION_REQUIRED")).toEqual(["answered"]);
    expect(await seen(403, "REAUTHENTICATION_FAILED")).toEqual(["answered"]);
  });

  it("counts a sign-in's refusal as neither", async () => {
    expect(await seen(401, "INVALID_CREDENTIALS")).toEqual([]);
  });
});

/**
 * The idle clock on a fake clock, against a model of the server's rule (core authenticate.ts): a
 * use is recorded when the last record is a recording step old (a quarter of a limit shorter than
 * four minutes), and a call more than the limit after the last record is 401 UNAUTHENTICATED.
 */
describe("the idle clock with a one-minute limit (fake clock)", () => {
  const LIMIT_S = 60;
  const STEP_MS = 15_000;

  /** The server, its last recorded use at `last` (on the browser's clock); calls take 100 ms. */
  function server(last: number) {
    const state = { last, ended: false, calls: 0 };
    const transport: Staffgate["transport"] = {
      request: async <T>() => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const now = Date.now();
        state.calls++;
        if (state.ended || now - state.last > LIMIT_S * 1000) state.ended = true;
        else if (now - state.last >= STEP_MS) state.last = now;
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (state.ended) {
          throw new StaffgateError({
            type: "about:blank",
            title: "Unauthenticated",
            status: 401,
            code: "UNAUTHENTICATED",
          } as never);
        }
        return {} as T;
      },
      raw: async () => new Response(null, { status: 200 }),
      text: async () => "",
      withToken: () => transport,
      withTimeout: () => transport,
    };
    return { state, client: new Staffgate(transport) };
  }

  /** A page loaded with the session found (not a fresh sign-in), and its idle timer running. */
  async function loaded(lastRecorded: number) {
    const { state, client } = server(lastRecorded);
    const clock = new ServerIdleClock(null);
    const seen = { warnedAt: null as number | null, timedOutAt: null as number | null, ended: false };
    const api = observeCalls(client, {
      answered: (start, end) => clock.answered(start, end),
      unauthenticated: () => {
        seen.ended = true;
      },
    });
    const start = Date.now();
    const boot = api.auth.me();
    await vi.advanceTimersByTimeAsync(100);
    await boot;
    clock.begin(LIMIT_S, false, start);
    const timer = new IdleTimer(clock, {
      idleSeconds: LIMIT_S,
      renew: () => api.auth.me(),
      onTimeout: () => {
        seen.timedOutAt ??= Date.now();
      },
      show: (left) => {
        if (left !== null) seen.warnedAt ??= Date.now();
        else seen.warnedAt = null;
      },
    });
    const stop = timer.start();
    return { state, seen, timer, stop };
  }

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("does not warn while the person keeps typing after a page load, and warns only after they stop", async () => {
    // Worst case: the server recorded its last use just under a step before the page loaded, so the
    // page's own /auth/me was not recorded.
    const { state, seen, timer, stop } = await loaded(Date.now() - STEP_MS + 100);
    const typing = Date.now();
    while (Date.now() - typing < 3 * 60_000) {
      timer.input();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(seen.warnedAt, `warned ${Date.now() - typing} ms into typing`).toBeNull();
    }
    const lastInput = Date.now() - 2_000;
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    stop();
    expect(seen.ended).toBe(false);
    // Warned half the limit before it at the earliest, counted from the person's last input.
    expect(seen.warnedAt).not.toBeNull();
    expect((seen.warnedAt ?? 0) - lastInput).toBeGreaterThanOrEqual(LIMIT_S * 500 - 2_000);
    // Signed out at the limit, never after the server ended the session.
    expect((seen.timedOutAt ?? 0) - lastInput).toBeGreaterThanOrEqual(LIMIT_S * 1000 - 2_000);
    expect(seen.timedOutAt ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(state.last + LIMIT_S * 1000);
  });

  it("restarts the count from “Stay signed in”: no sign-out before the limit after it", async () => {
    const { state, seen, timer, stop } = await loaded(Date.now() - STEP_MS + 100);
    // Nobody types: the warning comes when the server may end the session in half a minute.
    while (seen.warnedAt === null) await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const calls = state.calls;
    const stayedAt = Date.now();
    const stayed = timer.stay();
    await vi.advanceTimersByTimeAsync(100);
    await stayed;
    // A request, always, and the warning ends.
    expect(state.calls).toBe(calls + 1);
    expect(seen.warnedAt).toBeNull();
    while (seen.timedOutAt === null && Date.now() - stayedAt < 3 * 60_000) {
      await vi.advanceTimersByTimeAsync(1_000);
    }
    stop();
    expect(seen.ended).toBe(false);
    expect((seen.timedOutAt ?? 0) - stayedAt).toBeGreaterThanOrEqual(LIMIT_S * 1000 - 2_000);
    expect(seen.timedOutAt ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(state.last + LIMIT_S * 1000);
  });

  it("keeps the default: with 15 minutes, warns a minute before the limit and signs out at it", async () => {
    const clock = new ServerIdleClock(null);
    clock.begin(15 * 60, true, Date.now(), Date.now());
    const began = Date.now();
    const seen = { warnedAt: null as number | null, timedOutAt: null as number | null };
    const timer = new IdleTimer(clock, {
      idleSeconds: 15 * 60,
      renew: async () => undefined,
      onTimeout: () => {
        seen.timedOutAt ??= Date.now();
      },
      show: (left) => {
        if (left !== null) seen.warnedAt ??= Date.now();
      },
    });
    const stop = timer.start();
    await vi.advanceTimersByTimeAsync(16 * 60_000);
    stop();
    expect((seen.warnedAt ?? 0) - began).toBe(14 * 60_000 - 2_000);
    expect((seen.timedOutAt ?? 0) - began).toBe(15 * 60_000 - 2_000);
  });
});
