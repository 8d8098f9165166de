import { describe, expect, it } from "vitest";
import { loadCatalogs } from "../catalog/catalogs.ts";
import { DEFAULT_SETTINGS } from "../tenants/settings.rules.ts";
import {
  holdsPatientPermission,
  matchTotp,
  mfaRequiredFor,
  normaliseRecoveryCode,
  otpauthUrl,
  REMEMBER_DEVICE_MAX_DAYS,
  rememberDeviceDays,
  rememberedDeviceValid,
  totpCodeAt,
  totpStepAt,
} from "./mfa.rules.ts";
import { newRecoveryCodes, newTotpSecret, openSecret, sealSecret, secretKeyFrom } from "./mfa-secrets.ts";

/** RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", in base32. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

describe("TOTP", () => {
  it("matches the RFC 6238 test vectors (last 6 digits)", () => {
    expect(totpCodeAt(RFC_SECRET, totpStepAt(59_000))).toBe("287082");
    expect(totpCodeAt(RFC_SECRET, totpStepAt(1_111_111_109_000))).toBe("081804");
    expect(totpCodeAt(RFC_SECRET, totpStepAt(2_000_000_000_000))).toBe("279037");
  });

  it("makes 160-bit secrets and 30-second steps", () => {
    expect(newTotpSecret()).toMatch(/^[A-Z2-7]{32}$/);
    expect(totpStepAt(29_999)).toBe(0);
    expect(totpStepAt(30_000)).toBe(1);
  });

  it("accepts the previous, current and next step only", () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const step = totpStepAt(now);
    for (const d of [-1, 0, 1])
      expect(matchTotp(secret, totpCodeAt(secret, step + d), now, 0)).toBe(step + d);
    for (const d of [-3, -2, 2, 3]) {
      const code = totpCodeAt(secret, step + d);
      // A code of a farther step may coincide with a near one by chance (1 in 10^6 per step).
      const near = [-1, 0, 1].some((n) => totpCodeAt(secret, step + n) === code);
      if (!near) expect(matchTotp(secret, code, now, 0)).toBeNull();
    }
  });

  it("refuses a step at or before the last one used (replay, RFC 6238 §5.2)", () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const step = totpStepAt(now);
    const code = totpCodeAt(secret, step);
    expect(matchTotp(secret, code, now, step - 1)).toBe(step);
    expect(matchTotp(secret, code, now, step)).toBeNull();
    expect(matchTotp(secret, totpCodeAt(secret, step - 1), now, step)).toBeNull();
  });

  it("refuses malformed codes", () => {
    const secret = newTotpSecret();
    for (const c of ["", "12345", "1234567", "12345a", " 123456"])
      expect(matchTotp(secret, c, 0, -1)).toBeNull();
  });

  it("labels the otpauth URI Staffgate:<tenant>:<username>", () => {
    const url = otpauthUrl(RFC_SECRET, "clinic", "alice");
    expect(url).toMatch(/^otpauth:\/\/totp\/Staffgate:clinic%3Aalice\?/);
    expect(url).toContain("issuer=Staffgate");
    expect(url).toContain("period=30");
  });
});

describe("recovery codes", () => {
  it("makes 10 distinct 50-bit codes xxxxx-xxxxx", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
  });

  it("reads a typed code whatever its case, spaces and hyphens", () => {
    expect(normaliseRecoveryCode("ABCDE-FGH12")).toBe("abcde-fgh12");
    expect(normaliseRecoveryCode(" abcde fgh12 ")).toBe("abcde-fgh12");
    expect(normaliseRecoveryCode("abcdefgh12")).toBe("abcde-fgh12");
    expect(normaliseRecoveryCode("abcdefghIO")).toBe("abcde-fgh10");
    expect(normaliseRecoveryCode("abcde-fgh1")).toBeNull();
    expect(normaliseRecoveryCode("abcde-fghu1")).toBeNull();
    expect(normaliseRecoveryCode("123456")).toBeNull();
  });
});

describe("tenant requirement", () => {
  const catalog = loadCatalogs().get(loadCatalogs().defaultName)!;
  const patientKey = catalog.permissions.find((p) => p.patientScoped)!.key;
  const plainKey = catalog.permissions.find(
    (p) =>
      !p.patientScoped &&
      ![...(catalog.closure.get(p.key) ?? [])].some((k) => catalog.byKey.get(k)?.patientScoped),
  )!.key;
  const role = (permissions: string[], workspaces: string[] = []) => ({
    permissions,
    collaborator: false,
    workspaces: workspaces.length
      ? [{ workspaceId: "wsp_1", permissions: workspaces, collaborator: false }]
      : [],
  });

  it("finds patient permissions at tenant level, in a workspace row, or in another role", () => {
    expect(holdsPatientPermission(catalog, [role([plainKey])])).toBe(false);
    expect(holdsPatientPermission(catalog, [role([patientKey])])).toBe(true);
    expect(holdsPatientPermission(catalog, [role([], [patientKey])])).toBe(true);
    expect(holdsPatientPermission(catalog, [role([]), role([patientKey])])).toBe(true);
  });

  it("counts emergency access, which opens patient permissions on demand", () => {
    expect(plainKey).not.toBe("emergency_access.use");
    expect(holdsPatientPermission(catalog, [role(["emergency_access.use"])])).toBe(true);
  });

  it("off / all / patient_access; never for virtual users", () => {
    const user = (virtual: boolean, patient: boolean) => ({ virtual, holdsPatientPermission: () => patient });
    expect(mfaRequiredFor("off", user(false, true))).toBe(false);
    expect(mfaRequiredFor("all", user(false, false))).toBe(true);
    expect(mfaRequiredFor("all", user(true, true))).toBe(false);
    expect(mfaRequiredFor("patient_access", user(false, true))).toBe(true);
    expect(mfaRequiredFor("patient_access", user(false, false))).toBe(false);
  });
});

describe("remember this device", () => {
  it("lasts the tenant's days, at most 30, and 0 means never", () => {
    expect(rememberDeviceDays(DEFAULT_SETTINGS)).toBe(30);
    expect(rememberDeviceDays({ rememberDeviceDays: 7 })).toBe(7);
    expect(rememberDeviceDays({ rememberDeviceDays: 90 })).toBe(REMEMBER_DEVICE_MAX_DAYS);
    expect(rememberDeviceDays({ rememberDeviceDays: 0 })).toBe(0);
  });

  it("holds until its expiry, and no longer than a since-shortened setting", () => {
    const created = Date.parse("2026-01-01T00:00:00Z");
    const row = {
      created_at: new Date(created).toISOString(),
      expires_at: new Date(created + 30 * 86_400_000).toISOString(),
    };
    const day = 86_400_000;
    expect(rememberedDeviceValid(row, { rememberDeviceDays: 30 }, created + 30 * day - 1)).toBe(true);
    expect(rememberedDeviceValid(row, { rememberDeviceDays: 30 }, created + 30 * day)).toBe(false);
    expect(rememberedDeviceValid(row, { rememberDeviceDays: 7 }, created + 8 * day)).toBe(false);
    expect(rememberedDeviceValid(row, { rememberDeviceDays: 0 }, created + 1)).toBe(false);
  });
});

describe("the TOTP secret at rest", () => {
  const key = secretKeyFrom("k".repeat(40));

  it("is stored as-is without a key, sealed with one", () => {
    expect(sealSecret(RFC_SECRET, undefined, "b")).toBe(`plain:${RFC_SECRET}`);
    const sealed = sealSecret(RFC_SECRET, key, "mfa_totp:t:u");
    expect(sealed).not.toContain(RFC_SECRET);
    expect(openSecret(sealed, key, "mfa_totp:t:u")).toBe(RFC_SECRET);
    expect(openSecret(`plain:${RFC_SECRET}`, key, "x")).toBe(RFC_SECRET);
  });

  it("does not open for another user, with another key, or without a key", () => {
    const sealed = sealSecret(RFC_SECRET, key, "mfa_totp:t:u");
    expect(() => openSecret(sealed, key, "mfa_totp:t:v")).toThrow();
    expect(() => openSecret(sealed, secretKeyFrom("z".repeat(40)), "mfa_totp:t:u")).toThrow();
    expect(() => openSecret(sealed, undefined, "mfa_totp:t:u")).toThrow(/STAFFGATE_SECRET_KEY/);
    expect(() => secretKeyFrom("short")).toThrow();
  });
});
