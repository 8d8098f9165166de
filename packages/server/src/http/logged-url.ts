/** A request's URL as the log keeps it: secret query values replaced (SECURITY.md C-31: tokens in URLs). */

/** Names clients give credentials, within any parameter name (`apiToken`, `api_key`, `pw`…). */
const SECRET_NAME = /token|code|pass|pwd|pw|secret|csrf|session|otp|auth|bearer|key|jwt|recovery|credential/i;
/** Staffgate's own secrets, whatever they are called: a session sent as `?bearer=sgs_…` (SECURITY.md audit). */
const SECRET_PREFIX = /(?:sg[sdirt]|csrf)(?:_|%5f)/i;

/**
 * Each `name=value` pair is judged on its own, in one pass: the earlier regular expressions
 * started a match at every `?` and `&` and scanned on from each, so a 16 KiB query of `?` took
 * about 0.9 s of the event loop per request, before any authentication (found by the review,
 * 2026-12-06). A pair without `=` that is itself a secret is hidden too.
 */
export function loggedUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const hash = url.indexOf("#", q);
  const end = hash < 0 ? url.length : hash;
  const pairs = url
    .slice(q + 1, end)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      if (SECRET_PREFIX.test(name)) return "[redacted]";
      if (eq < 0) return pair;
      return SECRET_NAME.test(name) || SECRET_PREFIX.test(pair.slice(eq + 1)) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, q + 1)}${pairs.join("&")}${url.slice(end)}`;
}
