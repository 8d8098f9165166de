import { describe, expect, it } from "vitest";
import { ServerIdleClock } from "./IdleWarning.tsx";

const MIN = 60_000;
const SAFETY = 2_000;

describe("ServerIdleClock", () => {
  it("counts from the answered call once the server certainly recorded it", () => {
    const clock = new ServerIdleClock(null);
    clock.begin(15 * 60, true, 0, 0);
    expect(clock.deadline(15 * 60)).toBe(15 * MIN - SAFETY);
    // Within the server's touch interval (a minute): perhaps not recorded, the deadline stands.
    clock.answered(30_000, 30_100);
    expect(clock.deadline(15 * 60)).toBe(15 * MIN - SAFETY);
    clock.answered(61_000, 61_100);
    expect(clock.deadline(15 * 60)).toBe(61_000 + 15 * MIN - SAFETY);
  });

  it("follows a limit lowered meanwhile: a renewal at the warning moves the deadline", () => {
    const clock = new ServerIdleClock(null);
    clock.begin(15 * 60, true, 0, 0);
    // The practice lowers the limit to 2 minutes; the server now records a use every 30 s.
    clock.limit(2 * 60);
    expect(clock.deadline(2 * 60)).toBe(2 * MIN - SAFETY);
    // "Stay signed in" at the warning, 58 s in: the server recorded it, so the warning must end.
    clock.answered(58_000, 58_200);
    expect(clock.deadline(2 * 60)).toBe(58_000 + 2 * MIN - SAFETY);
  });
});
