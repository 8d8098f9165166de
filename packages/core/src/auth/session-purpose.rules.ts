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

/**
 * What a session may reach now, under the tenant's MFA rule as it stands (judged on every request,
 * from the policy snapshot, so a change of the setting or of a person's roles applies at once):
 * - not required of the person: everything (a session confined at sign-in is released, as a new
 *   sign-in would be);
 * - required, and the session passed the person's current second factor (`verified`, while they
 *   are enrolled: a code or remembered device at sign-in, or the enrolment itself) or is the
 *   administrator's that turned the requirement on (`waived`): everything;
 * - required of someone not enrolled: enrolment only;
 * - required of someone enrolled whose session never passed the code (it was opened with the
 *   password alone, before they enrolled or before it was required): null, the session no longer
 *   serves and they sign in again with their code.
 * A password-change confinement is never lifted here.
 */
export function purposeNow(
  stored: SessionPurpose,
  mfa: {
    readonly required: boolean;
    readonly enrolled: boolean;
    readonly verified: boolean;
    readonly waived: boolean;
  },
): SessionPurpose | null {
  if (stored === "password_change") return stored;
  // `verified` counts only while the person is enrolled: a code passed with a factor since turned
  // off proves nothing now (found by an adversarial audit).
  if (!mfa.required || mfa.waived || (mfa.verified && mfa.enrolled)) return "full";
  return mfa.enrolled ? null : "mfa_enrolment";
}
