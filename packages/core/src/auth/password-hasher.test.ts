import { describe, expect, it } from "vitest";
import { createLimiter, createPasswordHasher } from "./password-hasher.ts";

describe("password hasher", () => {
  const hasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1 });

  it("hashes with argon2id and verifies only the same password", async () => {
    const h = await hasher.hash("correct horse battery staple");
    expect(h).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.verify(h, "correct horse battery staple")).toBe(true);
    expect(await hasher.verify(h, "correct horse battery stapler")).toBe(false);
    expect(await hasher.verify("not a hash", "x")).toBe(false);
  });

  it("treats canonically equivalent Unicode as the same password (NFC)", async () => {
    const composed = "café-au-lait-très-long"; // é as one code point
    const decomposed = composed.normalize("NFD"); // e + combining accent
    expect(decomposed).not.toBe(composed);
    expect(await hasher.verify(await hasher.hash(composed), decomposed)).toBe(true);
  });

  it("asks for a re-hash when the parameters differ", async () => {
    const h = await hasher.hash("a password long enough");
    expect(hasher.needsRehash(h)).toBe(false);
    expect(createPasswordHasher().needsRehash(h)).toBe(true);
  });

  it("runs at most `max` tasks at a time", async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const task = () =>
      limit(async () => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active -= 1;
      });
    await Promise.all(Array.from({ length: 10 }, task));
    expect(peak).toBe(2);
  });
});
