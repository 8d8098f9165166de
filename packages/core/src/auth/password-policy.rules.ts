/** Password rules (NIST 800-63B, SECURITY.md A): length in code points, no composition rules. */

export const PASSWORD_HARD_CAP = 1024;

export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 15, maxLength: 1024 };

/** The reason a password is refused, or null when it is acceptable. */
export function passwordProblem(
  password: string,
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
): string | null {
  // Checked on UTF-16 length first so an enormous input is refused before anything else runs.
  if (password.length > PASSWORD_HARD_CAP * 2) return `must be at most ${policy.maxLength} characters`;
  const length = [...password.normalize("NFC")].length;
  if (length > Math.min(policy.maxLength, PASSWORD_HARD_CAP))
    return `must be at most ${policy.maxLength} characters`;
  if (length < policy.minLength) return `must be at least ${policy.minLength} characters`;
  return null;
}
