import { describe, expect, it } from "vitest";
import { newSecret, randomIds, randomPiece } from "./ids.ts";

describe("ids and secrets from the random pool", () => {
  it("never hands out the same bytes twice, across many refills of the pool", () => {
    const seen = new Set<string>();
    // 4 KiB a refill: 3,000 secrets of 32 bytes and 3,000 ids of 16 cross about 35 refills.
    for (let i = 0; i < 3000; i++) {
      seen.add(newSecret("sgs"));
      seen.add(randomIds.next("usr"));
    }
    expect(seen.size).toBe(6000);
  });

  it("keeps each piece as it was handed out after the pool is refilled", () => {
    const first = randomPiece(32);
    const copy = Buffer.from(first);
    for (let i = 0; i < 300; i++) randomPiece(32);
    expect(first.equals(copy)).toBe(true);
  });

  it("gives 256-bit secrets and 128-bit ids, base64url after their prefix", () => {
    expect(newSecret("sgs")).toMatch(/^sgs_[A-Za-z0-9_-]{43}$/);
    expect(randomIds.next("ses")).toMatch(/^ses_[A-Za-z0-9_-]{22}$/);
  });
});
