import { describe, expect, it } from "vitest";
import { purposeNow, reportedPurpose } from "./session-purpose.rules.ts";

const mfa = (over: Partial<Parameters<typeof purposeNow>[1]>) => ({
  required: false,
  enrolled: false,
  verified: false,
  waived: false,
  ...over,
});

describe("purposeNow", () => {
  it("confines an unenrolled person's session while MFA is required of them, and releases it after", () => {
    expect(purposeNow("full", mfa({ required: true }))).toBe("mfa_enrolment");
    expect(purposeNow("mfa_enrolment", mfa({ required: true }))).toBe("mfa_enrolment");
    expect(purposeNow("mfa_enrolment", mfa({}))).toBe("full");
    expect(purposeNow("full", mfa({}))).toBe("full");
  });

  it("lets a session that passed the second factor reach everything", () => {
    expect(purposeNow("full", mfa({ required: true, enrolled: true, verified: true }))).toBe("full");
  });

  it("ends an enrolled person's session that never passed the code once MFA is required of them", () => {
    expect(purposeNow("full", mfa({ required: true, enrolled: true }))).toBeNull();
    expect(purposeNow("mfa_enrolment", mfa({ required: true, enrolled: true }))).toBeNull();
    // Not required: the password was enough for this session, enrolled or not.
    expect(purposeNow("full", mfa({ enrolled: true }))).toBe("full");
  });

  it("does not count a code passed with a factor the person has since turned off", () => {
    expect(purposeNow("full", mfa({ required: true, verified: true }))).toBe("mfa_enrolment");
  });

  it("keeps the reach of the administrator's session that turned the requirement on", () => {
    expect(purposeNow("full", mfa({ required: true, waived: true }))).toBe("full");
  });

  it("never lifts a password-change confinement", () => {
    expect(purposeNow("password_change", mfa({}))).toBe("password_change");
    expect(reportedPurpose(purposeNow("full", mfa({ required: true }))!, true)).toBe("password_change");
  });
});
