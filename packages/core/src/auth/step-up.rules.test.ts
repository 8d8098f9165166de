import { describe, expect, it } from "vitest";
import { RECENT_SIGN_IN_MINUTES, signedInRecently } from "./step-up.rules.ts";

describe("signedInRecently", () => {
  const at = "2026-12-06T08:00:00.000Z";
  const after = (ms: number) => new Date(Date.parse(at) + ms);

  it("counts a sign-in as recent for RECENT_SIGN_IN_MINUTES, not a millisecond more", () => {
    expect(signedInRecently(at, after(0))).toBe(true);
    expect(signedInRecently(at, after(RECENT_SIGN_IN_MINUTES * 60_000 - 1))).toBe(true);
    expect(signedInRecently(at, after(RECENT_SIGN_IN_MINUTES * 60_000))).toBe(false);
  });

  it("never for a caller without a session's sign-in, nor one from the future", () => {
    expect(signedInRecently(undefined, after(0))).toBe(false);
    expect(signedInRecently(at, after(-1))).toBe(false);
  });
});
