/**
 * When a change to how a person signs in needs the password again (ASVS 7.5.1, SECURITY.md 40).
 * Starting TOTP enrolment adds a factor, and the factor then guards the account: from a stolen
 * session an attacker could enrol their own authenticator and shut the owner out (a password reset
 * keeps MFA on). So a session that signed in with the password a moment ago may start it as is,
 * and one that signed in more than RECENT_SIGN_IN_MINUTES ago must give the password again. Ending
 * another of one's sessions is asked the same way (ASVS 7.5.2: "having authenticated again").
 */
export const RECENT_SIGN_IN_MINUTES = 10;

/** Whether a session that signed in at `signedInAt` still counts as having just given its password. */
export function signedInRecently(signedInAt: string | undefined, now: Date): boolean {
  if (signedInAt === undefined) return false;
  const age = now.getTime() - Date.parse(signedInAt);
  return age >= 0 && age < RECENT_SIGN_IN_MINUTES * 60_000;
}
