/**
 * The purpose a session reports (the sign-in answer, `/auth/me`): what it must do first. The
 * stored purpose says `full` or `mfa_enrolment`; the account's mustChangePassword flag confines
 * the session as well (route.ts `confine`), so while it is set the session reports
 * `password_change` (first, as the console leads with it). Changing the password clears the flag,
 * and the same session then reports what is stored again. Reporting changes no confinement.
 */
import type { SessionPurpose } from "@staffgate/contract";

export function reportedPurpose(stored: SessionPurpose, mustChangePassword: boolean): SessionPurpose {
  return mustChangePassword ? "password_change" : stored;
}
