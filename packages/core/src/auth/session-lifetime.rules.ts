/**
 * How long a session serves (PRODUCT.md §4, SECURITY.md E-37, HIPAA 164.312(a)(2)(iii)). Its
 * absolute end is fixed at sign-in from the tenant's limit, and comes earlier when the tenant
 * lowers that limit afterwards: an administrator who shortens it means the sessions open now as
 * well (the idle limit already reaches them, being judged on every request). Raising the limit
 * extends no session: the end fixed at sign-in stays the latest it can be.
 */
const HOUR_MS = 3_600_000;

/** The session's end (epoch ms): its stored expiry, or its sign-in plus the tenant's limit now. */
export function sessionEndMs(createdAt: string, expiresAt: string, absoluteTimeoutHours: number): number {
  return Math.min(Date.parse(expiresAt), Date.parse(createdAt) + absoluteTimeoutHours * HOUR_MS);
}

/** The same end as ISO text, for answers that show it. */
export function sessionEndIso(createdAt: string, expiresAt: string, absoluteTimeoutHours: number): string {
  return new Date(sessionEndMs(createdAt, expiresAt, absoluteTimeoutHours)).toISOString();
}

/**
 * Whether a session has been left unused past its idle limit at `nowMs` (the request is refused
 * when more than the limit has passed since its last use).
 */
export function idledOut(lastUsedAt: string, idleLimitSeconds: number, nowMs: number): boolean {
  return nowMs - Date.parse(lastUsedAt) > idleLimitSeconds * 1000;
}
