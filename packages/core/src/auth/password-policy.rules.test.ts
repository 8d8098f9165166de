import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../tenants/settings.rules.ts";
import { createPasswordHasher } from "./password-hasher.ts";
import {
  checkPassword,
  contextWords,
  exceedsHardCap,
  isBuiltFromContext,
  isInHistory,
  PASSWORD_HARD_CAP,
  type PasswordContext,
  passwordPolicyFor,
  passwordProblem,
} from "./password-policy.rules.ts";

const sunrise: PasswordContext = {
  tenantSlug: "sunrise",
  tenantName: "Sunrise Clinic",
  username: "jdoe",
  email: "jane.doe@sunrise-clinic.example",
  firstName: "Jane",
  lastName: "Doe",
};

const single = passwordPolicyFor(DEFAULT_SETTINGS, { mfa: false });
const withMfa = passwordPolicyFor(DEFAULT_SETTINGS, { mfa: true });

describe("password length (NIST 800-63B)", () => {
  it("needs 15 code points alone and 8 with MFA", () => {
    expect(checkPassword(`${"x".repeat(14)}q`, { policy: single })).toBeNull();
    expect(checkPassword("kq7zw0vbn3ytr1", { policy: single })?.code).toBe("TOO_SHORT");
    expect(checkPassword("kq7zw0vb", { policy: withMfa })).toBeNull();
    expect(checkPassword("kq7zw0v", { policy: withMfa })?.code).toBe("TOO_SHORT");
    expect(checkPassword("kq7zw0vbn3ytr1", { policy: single })?.message).toBe(
      "must be at least 15 characters",
    );
  });

  it("counts code points after NFC, so NFD and astral input count as people see them", () => {
    expect(checkPassword("é".repeat(15), { policy: single })).toBeNull();
    expect(checkPassword("e\u0301".repeat(15), { policy: single })).toBeNull();
    expect(checkPassword("e\u0301".repeat(14), { policy: single })?.code).toBe("TOO_SHORT");
    expect(checkPassword("😀".repeat(15), { policy: single })).toBeNull();
    // 14 emoji are 28 UTF-16 units: still one short of 15 characters.
    expect(checkPassword("😀".repeat(14), { policy: single })?.code).toBe("TOO_SHORT");
    expect(checkPassword("😀".repeat(7), { policy: withMfa })?.code).toBe("TOO_SHORT");
    expect(checkPassword("😀".repeat(64), { policy: single })).toBeNull();
  });

  it("allows 64 and up to the 1024 hard cap; refuses a megabyte at once", () => {
    expect(checkPassword("correct horse battery staple ".repeat(2).padEnd(64, "z"))).toBeNull();
    expect(checkPassword(`${"k".repeat(PASSWORD_HARD_CAP - 1)}q`)).toBeNull();
    expect(checkPassword(`${"k".repeat(PASSWORD_HARD_CAP)}q`)?.code).toBe("TOO_LONG");
    const huge = "a".repeat(1024 * 1024);
    const started = performance.now();
    expect(checkPassword(huge)?.code).toBe("TOO_LONG");
    expect(exceedsHardCap(huge)).toBe(true);
    // Judged by length before any matching (which would take seconds on a megabyte); the bound is
    // loose so that a loaded machine's pause is not mistaken for work.
    expect(performance.now() - started).toBeLessThan(500);
    expect(exceedsHardCap("😀".repeat(1024))).toBe(false);
    expect(exceedsHardCap("😀".repeat(1025))).toBe(true);
  });

  it("lets a tenant tighten but never loosen, and never past 64", () => {
    expect(
      passwordPolicyFor({ passwordMinLength: 20, passwordMinLengthWithMfa: 12 }, { mfa: false }),
    ).toEqual({
      minLength: 20,
      maxLength: 1024,
    });
    expect(
      passwordPolicyFor({ passwordMinLength: 20, passwordMinLengthWithMfa: 12 }, { mfa: true }).minLength,
    ).toBe(12);
    expect(
      passwordPolicyFor({ passwordMinLength: 6, passwordMinLengthWithMfa: 4 }, { mfa: false }).minLength,
    ).toBe(15);
    expect(
      passwordPolicyFor({ passwordMinLength: 6, passwordMinLengthWithMfa: 4 }, { mfa: true }).minLength,
    ).toBe(8);
    expect(
      passwordPolicyFor({ passwordMinLength: 500, passwordMinLengthWithMfa: 8 }, { mfa: false }).minLength,
    ).toBe(64);
  });

  it("has no composition rules", () => {
    expect(checkPassword("correct horse battery staple zz")).toBeNull();
    expect(checkPassword("aaaaaaaaaaaaaaab")).toBeNull();
  });
});

describe("common passwords (@zxcvbn-ts/language-common)", () => {
  const list = (
    createRequire(import.meta.url)("@zxcvbn-ts/language-common") as { dictionary: Record<string, string[]> }
  ).dictionary["passwords-common"]!;

  it("refuses every one of the first 3000 that meets the length policy, with its reason", () => {
    const eligible = list.slice(0, 3000).filter((p) => [...p].length >= 8);
    expect(eligible.length).toBeGreaterThan(500);
    for (const p of eligible) expect(checkPassword(p, { policy: withMfa })?.code, p).toBe("COMMON");
  });

  it("compares case-insensitively and ignores separators", () => {
    expect(checkPassword("PasswordPassword")?.code).toBe("COMMON");
    expect(checkPassword("1QAZ2WSX3EDC4RFV")?.code).toBe("COMMON");
    expect(checkPassword("qwerty-uiop-12345")?.code).toBe("COMMON");
    expect(checkPassword("PASSWORD1", { policy: withMfa })?.message).toMatch(/commonly used password/);
  });

  it("refuses a listed password padded to the length with digits or by saying it again", () => {
    for (const p of [
      "password12345678",
      "Password1234567!",
      "iloveyou12345678",
      "123456789iloveyou",
      "letmeinletmein12",
      "Welcome1Welcome1",
      "sunshine!!!!!!!!",
    ])
      expect(checkPassword(p)?.code, p).toBe("COMMON");
  });

  it("accepts passphrases and padded words the list does not hold, and repetitions of one character", () => {
    for (const p of [
      "correct horse battery staple",
      "Str0ng-Passw0rd-2026",
      "canary-Pa55word-kestrel-7731",
      "é".repeat(15),
      "clinic-north-wing-pharmacy",
      `  ${"q".repeat(15)}  `,
    ])
      expect(checkPassword(p), p).toBeNull();
  });

  it("refuses a password of nothing but spaces or other blanks", () => {
    for (const p of [
      " ".repeat(15),
      "\u00a0".repeat(20),
      " \t".repeat(10),
      "\u3000".repeat(16),
      "\u200b".repeat(15),
      "\u3164".repeat(15),
      "\u2800".repeat(15),
    ])
      expect(checkPassword(p)).toEqual({ code: "COMMON", message: "is only spaces; choose another" });
  });
});

describe("context words (ASVS 6.1.2 / 6.2.11)", () => {
  it("derives words from every value, whole and in pieces", () => {
    const words = contextWords(sunrise);
    for (const w of ["staffgate", "sunrise", "sunriseclinic", "clinic", "jdoe", "jane", "doe", "janedoe"])
      expect(words).toContain(w);
    expect(words).toContain("sunriseclinicexample");
  });

  it.each([
    "SunriseClinic2024!!",
    "jdoe-password-jdoe",
    "Staffgate-product-name",
    // SECURITY.md A-2's own example: it calls the product CareIAM.
    "CareIAM-product-name",
    "sunrise.clinic.example",
    "JDOE JDOE JDOE JDOE",
    "jane.doe@sunrise-clinic.example",
    "clinic-123456789012",
    // Digits written for letters (the SECURITY.md A-F review's example).
    "5unr1se-Cl1n1c-2024",
    "Sunr1se-Cl1n1c-2024",
    "J4NED0E-J4NED0E",
  ])("refuses %j with the reason", (password) => {
    const rejection = checkPassword(password, { policy: single, context: sunrise });
    expect(rejection?.code).toBe("CONTEXT");
    expect(rejection?.message).toMatch(/practice, user, role or product name/);
  });

  it("reads a digit as a letter only inside a long context word: other digits stay digits", () => {
    for (const password of [
      "correct horse 1234 battery",
      "s0me 0ther l0ng phrase 77",
      "4 cats 5 dogs 3 hens 1 ox",
    ])
      expect(checkPassword(password, { policy: single, context: sunrise }), password).toBeNull();
    // A short word is compared as typed: "d0e" is not the surname, "j4ne" alone is not a whole name.
    expect(checkPassword("d0e-d0e-d0e-d0e-d0e", { policy: single, context: sunrise })).toBeNull();
    // A run of digits spells no one: Li Li's joined name "lili" is not "1111", Li Bo's not "1180".
    const li = (lastName: string) => ({ ...sunrise, firstName: "Li", lastName });
    for (const password of ["wed 11/11/11 xx", "Sunny days 111111", "1111 Main Street"])
      expect(checkPassword(password, { policy: single, context: li("Li") }), password).toBeNull();
    expect(checkPassword("bus 1180 home", { policy: withMfa, context: li("Bo") })).toBeNull();
    // Half of a word's letters, not of its length: li1980's two letters are not spelled by "11".
    const li1980 = { ...sunrise, username: "li1980" };
    for (const password of ["wed 11/19/80 ok", "wed 111980 ok"])
      expect(checkPassword(password, { policy: withMfa, context: li1980 }), password).toBeNull();
  });

  it("counts a role or work-role name only as whole words: ordinary words hold them", () => {
    const roles = { ...sunrise, roleNames: ["Collaborator", "Viewer", "Other", "Physicist"] };
    for (const password of [
      "collaborators gathered around the fire",
      "the interviewer met the reviewer",
      "brother from another mother",
    ])
      expect(checkPassword(password, { policy: single, context: roles }), password).toBeNull();
    for (const password of ["Physicist2024-2024!!", "viewer-viewer-viewer", "other other other 22"])
      expect(checkPassword(password, { policy: single, context: roles })?.code, password).toBe("CONTEXT");
  });

  it("counts the tenant's role and work-role names (SECURITY.md A-2)", () => {
    const roles = { ...sunrise, roleNames: ["Administrator", "Dosimetrist", "Radiation Therapist"] };
    for (const password of ["Administrator-Administrator", "Dosimetrist-2024-2024!", "radiation-therapist-9"])
      expect(checkPassword(password, { policy: single, context: roles })?.code).toBe("CONTEXT");
    // Without them the same passwords pass: the role names are what refuses them ("administrator"
    // is also a listed password, so said twice it is refused as common all the same).
    for (const password of ["Dosimetrist-2024-2024!", "radiation-therapist-9"])
      expect(checkPassword(password, { policy: single, context: sunrise })).toBeNull();
    expect(checkPassword("Administrator-Administrator", { policy: single, context: sunrise })?.code).toBe(
      "COMMON",
    );
    expect(checkPassword("a nurse walks the quiet harbour", { policy: single, context: roles })).toBeNull();
  });

  it("refuses a short first name with the surname and a year, either way round", () => {
    const asa = { firstName: "Åsa", lastName: "Öberg", username: "asa" };
    for (const password of ["ÅsaÖberg20242025", "Öberg-Åsa-2024-2025"])
      expect(checkPassword(password, { policy: single, context: asa })?.code, password).toBe("CONTEXT");
    expect(checkPassword("Åsa walks the quiet harbour", { policy: single, context: asa })).toBeNull();
  });

  it("refuses a password that is nothing but a short name or username, digits and separators", () => {
    const amy = { firstName: "Amy", lastName: "Lee", username: "amy", tenantSlug: "t3" };
    for (const password of [
      "amy-amy-amy-amy-amy",
      "amyamyamyamyamy1",
      "Amy2024Amy2024Amy",
      "lee amy lee amy lee",
      "t3t3t3t3t3t3t3t3",
    ])
      expect(checkPassword(password, { policy: single, context: amy })?.code, password).toBe("CONTEXT");
    // Inside other words, or beside them, a short word is no reason to refuse.
    for (const password of [
      "Amy walks the quiet harbour",
      "planning ahead for the annual leave",
      "amy-amy-amy-amy-amy-walrus",
    ])
      expect(checkPassword(password, { policy: single, context: amy }), password).toBeNull();
    expect(checkPassword("ann-ann-ann-ann-ann", { policy: single, context: { username: "ann" } })?.code).toBe(
      "CONTEXT",
    );
    // A short number of the context is no word: digits holding it are digits.
    const numbered = { username: "kpark59", email: "kim.59@demo.example", tenantSlug: "clinic-59" };
    expect(checkPassword("8402597316059284", { policy: single, context: numbered })).toBeNull();
  });

  it("refuses a password equal to a short context word when the policy lets it through", () => {
    expect(isBuiltFromContext("Doe", { lastName: "Doe" })).toBe(true);
  });

  it.each([
    "correct horse battery staple zz",
    "sunrise over the quiet harbour at dawn",
    "my dog likes long walks on the beach",
    "doe a deer a female deer ray",
  ])("accepts the passphrase %j", (password) => {
    expect(checkPassword(password, { policy: single, context: sunrise })).toBeNull();
  });

  it("is checked only when context is given, after length and the list", () => {
    expect(checkPassword("SunriseClinic2024!!")).toBeNull();
    expect(checkPassword("jdoe", { context: sunrise })?.code).toBe("TOO_SHORT");
  });

  it("keeps passwordProblem's message API", () => {
    expect(passwordProblem("short")).toBe("must be at least 15 characters");
    expect(passwordProblem("a-long-enough-password-1")).toBeNull();
    expect(passwordProblem("SunriseClinic2024!!", undefined, sunrise)).toMatch(/practice/);
  });

  it("never mentions upper case, digits or symbols in a reason", () => {
    const reasons = [
      checkPassword("short"),
      checkPassword("k".repeat(2000)),
      checkPassword("passwordpassword"),
      checkPassword("SunriseClinic2024!!", { context: sunrise }),
    ].map((r) => r?.message ?? "");
    for (const r of reasons) expect(r).not.toMatch(/upper|lower ?case|digit|number|symbol|special/i);
  });
});

describe("password history", () => {
  it("finds a password among earlier hashes and not otherwise", async () => {
    const hasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1 });
    const hashes = [await hasher.hash("first password here"), await hasher.hash("second password here")];
    expect(await isInHistory(hasher, "second password here", hashes)).toBe(true);
    expect(await isInHistory(hasher, "a third password here", hashes)).toBe(false);
    expect(await isInHistory(hasher, "anything", [])).toBe(false);
  });
});

describe("sequential passwords (NIST 800-63B §5.1.1.2)", () => {
  it("refuses long sequences that a common-password list misses", () => {
    for (const p of [
      "123456789012345",
      "987654321098765",
      "abcdefghijklmnop",
      "ZYXWVUTSRQPONML",
      "xyzabcdefghijklm",
      "1234-5678-9012-3456",
    ]) {
      expect(checkPassword(p)?.code, p).toBe("SEQUENTIAL");
    }
  });

  it("accepts passphrases, passwords holding a short run, and repetitions (SECURITY.md's length tests use them)", () => {
    for (const p of [
      "correct horse battery staple zz",
      "abc-river-lantern-972",
      "1234 goes the clock tower",
      "é".repeat(15),
      "😀".repeat(64),
      "x".repeat(15),
    ]) {
      expect(checkPassword(p), p).toBeNull();
    }
  });
});
