import { describe, expect, it } from "vitest";
import { ServerIdleClock } from "./idleClock.ts";

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

  it("follows a limit lowered in this tab from the answer that reports it", () => {
    const clock = new ServerIdleClock(null);
    clock.begin(15 * 60, true, 0, 0);
    clock.answered(61_000, 61_100);
    // A minute on, perhaps recorded: the last record may be as old as a minute.
    clock.answered(121_050, 121_200);
    // Then the settings are saved, and /auth/me reports a one-minute limit.
    clock.answered(121_300, 121_400);
    expect(clock.deadline(60)).toBeLessThan(121_400);
    clock.follow(60, 121_300, 121_400);
    // The server records a use every 15 s now: it recorded one at most 15 s before that call.
    expect(clock.deadline(60)).toBe(121_300 - 15_000 + MIN - SAFETY);
  });

  it("keeps the sign-in's count when the limit is lowered just after it", () => {
    const clock = new ServerIdleClock(null);
    clock.begin(15 * 60, true, 0, 0);
    clock.follow(60, 3_000, 3_100);
    expect(clock.deadline(60)).toBe(MIN - SAFETY);
  });
});
