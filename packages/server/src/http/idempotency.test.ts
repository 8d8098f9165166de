import {
  CreatedApiTokenSchema,
  LoginResponse,
  RecoveryCodesSchema,
  TotpEnrolmentSchema,
  UserSchema,
} from "@staffgate/contract";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { holdsSecret } from "./idempotency.ts";

describe("holdsSecret (answers never kept for a replay)", () => {
  it("finds the one-time secrets of token creation, MFA enrolment and sign-in", () => {
    for (const schema of [CreatedApiTokenSchema, TotpEnrolmentSchema, RecoveryCodesSchema, LoginResponse])
      expect(holdsSecret(schema)).toBe(true);
  });

  it("finds one nested in a list or an optional field, and none in a user", () => {
    expect(holdsSecret(z.object({ items: z.array(z.object({ password: z.string() })) }))).toBe(true);
    expect(holdsSecret(z.object({ shown: z.object({ secret: z.string() }).nullable().optional() }))).toBe(
      true,
    );
    expect(holdsSecret(UserSchema)).toBe(false);
    expect(holdsSecret(null)).toBe(false);
  });
});
