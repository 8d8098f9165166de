/**
 * Whether a typed address looks like one: one @, something on both sides, a dot in the domain, no
 * spaces. Looser than the server's rule, so a form never refuses an address the server would take;
 * it only names a malformed one in the same round as the form's other checks.
 */
export function looksLikeEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@.][^\s@]*\.[^\s@]+$/.test(text.trim());
}

/** What a form says of an address that does not look like one. */
export const NOT_AN_EMAIL = "Enter a whole email address, such as name@example.com.";
