import { describe, expect, it } from "vitest";
import { generatePassword } from "./admin-password.service.ts";

describe("generated passwords", () => {
  it("are long enough for any minimum a tenant may set, and at least 29 characters", () => {
    for (const min of [8, 15, 29, 30, 31, 47, 64]) {
      const password = generatePassword(min, () => true);
      expect([...password].length, String(min)).toBeGreaterThanOrEqual(Math.max(min, 29));
      expect(password).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4})+$/);
    }
  });

  it("give up, rather than loop for ever, when the policy refuses every candidate", () => {
    expect(() => generatePassword(15, () => false)).toThrow(/met the policy/);
  });
});
