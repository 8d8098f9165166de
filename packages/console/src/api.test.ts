import { Staffgate, StaffgateError, StaffgateTimeoutError } from "@staffgate/sdk";
import { describe, expect, it } from "vitest";
import { problemMessage, TIMED_OUT } from "./api.ts";

const throttled = (retryAfter?: unknown) =>
  new StaffgateError({
    type: "https://staffgate.dev/problems/throttled",
    title: "Too Many Requests",
    status: 429,
    code: "THROTTLED",
    ...(retryAfter === undefined ? {} : { retryAfter }),
  });

describe("problemMessage of a throttled call", () => {
  it("says how long to wait, from retryAfter, rounded up", () => {
    expect(problemMessage(throttled(110))).toBe("Too many attempts. Try again in 2 minutes.");
    expect(problemMessage(throttled(900))).toBe("Too many attempts. Try again in 15 minutes.");
    expect(problemMessage(throttled(60))).toBe("Too many attempts. Try again in 1 minute.");
    expect(problemMessage(throttled(61))).toBe("Too many attempts. Try again in 2 minutes.");
    expect(problemMessage(throttled(45))).toBe("Too many attempts. Try again in 45 seconds.");
    expect(problemMessage(throttled(1))).toBe("Too many attempts. Try again in 1 second.");
    expect(problemMessage(throttled(59.2))).toBe("Too many attempts. Try again in 1 minute.");
  });

  it("promises no time it does not know", () => {
    for (const value of [undefined, 0, -3, "soon", null]) {
      expect(problemMessage(throttled(value))).toBe("Too many attempts. Wait a while and try again.");
    }
  });
});

describe("problemMessage when the answer is not Staffgate's, or never came", () => {
  it("says a proxy's error page may hide a change made, without showing the page", async () => {
    const api = new Staffgate({
      baseUrl: "http://127.0.0.1:9",
      fetch: async () =>
        new Response("<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", {
          status: 502,
          statusText: "Bad Gateway",
          headers: { "content-type": "text/html" },
        }),
    });
    const error = await api.workspaces.list().catch((e: unknown) => e);
    const message = problemMessage(error);
    expect(message).toBe(
      "Something between this browser and the service answered instead of it (Bad Gateway): what you asked may or may not have been done. Reload the page to check before trying again.",
    );
    expect(message).not.toContain("nginx");
  });

  it("does not call a timeout unreachable: the change may have been made", () => {
    expect(problemMessage(new StaffgateTimeoutError("http://127.0.0.1:9/api/v1/users", 30_000))).toBe(
      TIMED_OUT,
    );
  });

  it("names the permission a refusal names", () => {
    const forbidden = new StaffgateError({
      type: "https://staffgate.dev/problems/forbidden",
      title: "Forbidden",
      status: 403,
      code: "FORBIDDEN",
      detail: "This needs the users.manage permission",
    });
    expect(problemMessage(forbidden)).toBe(
      "You do not have permission to do that. This needs the users.manage permission.",
    );
  });
});
