import { afterAll, describe, expect, it } from "vitest";
import { isAppError } from "../shared/errors.ts";
import { createPasswordHasher } from "./password-hasher.ts";

describe("password hasher", () => {
  const hasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1 });
  afterAll(() => hasher.close());

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
    const production = createPasswordHasher();
    expect(production.needsRehash(h)).toBe(true);
    await production.close();
  });

  it("hashes many at a time with the concurrency limit, each with its own salt", async () => {
    const two = createPasswordHasher({ memoryCost: 1024, timeCost: 1, concurrency: 2 });
    try {
      const hashes = await Promise.all(Array.from({ length: 8 }, () => two.hash("the same password")));
      expect(new Set(hashes).size).toBe(8);
      expect(await Promise.all(hashes.map((h) => two.verify(h, "the same password")))).toEqual(
        hashes.map(() => true),
      );
    } finally {
      await two.close();
    }
  });

  it("runs argon2 on threads of lower priority than the event loop (Linux)", async () => {
    if (process.platform !== "linux") return;
    await hasher.hash("wake the workers up");
    const { readdirSync, readFileSync } = await import("node:fs");
    // Field 19 of /proc/self/task/<tid>/stat is the thread's nice value; the comm name is in parentheses.
    const nices = readdirSync("/proc/self/task").map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    });
    expect(nices).toContain(10);
    expect(nices).toContain(0);
  });

  it("sheds hashes past its queue with SERVICE_BUSY (never a wrong password), and serves the rest", async () => {
    const small = createPasswordHasher({ memoryCost: 1024, timeCost: 1, concurrency: 1, maxQueued: 2 });
    try {
      const h = await small.hash("a password long enough");
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, () => small.verify(h, "a password long enough")),
      );
      const shed = results.filter((r) => r.status === "rejected");
      const served = results.filter((r) => r.status === "fulfilled");
      expect(shed.length).toBeGreaterThan(0);
      for (const r of shed)
        expect(isAppError((r as PromiseRejectedResult).reason, "SERVICE_BUSY")).toBe(true);
      // Running, held ahead and queued: at most a few are served at once, every one of them right.
      expect(served.length).toBeGreaterThanOrEqual(3);
      for (const r of served) expect((r as PromiseFulfilledResult<boolean>).value).toBe(true);
      // Once the queue drains, hashing works again.
      expect(await small.verify(h, "a password long enough")).toBe(true);
    } finally {
      await small.close();
    }
  });
});
