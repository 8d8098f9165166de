import { StaffgateError } from "@staffgate/sdk";
import { describe, expect, it } from "vitest";
import { problemMessage } from "./api.ts";

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
