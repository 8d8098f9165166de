/**
 * Failpoints (SECURITY.md §5.2): with `FAILPOINT=<name>` in the environment, the process exits
 * with code 137 (as if SIGKILLed) the first time it reaches that point, so a test can kill it at
 * one exact place inside a change and check that nothing was half-written. Unset, each point is
 * one comparison of two strings. The server says at start-up when one is set.
 *
 * - `after_user_insert`: a user row has been inserted, in its transaction (every path that makes
 *   a user: the API, SCIM, CSV import, a new tenant's administrator);
 * - `after_hash_write`: a new password hash has been written, in its transaction;
 * - `before_commit`: a use case's work is done and its transaction is about to commit.
 */
export const FAILPOINTS = ["after_user_insert", "after_hash_write", "before_commit"] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

const armed = process.env.FAILPOINT;

export function failpoint(name: Failpoint): void {
  if (armed !== name) return;
  process.stderr.write(`FAILPOINT ${name} reached: exiting with code 137\n`);
  process.exit(137);
}

/** The failpoint armed in this process's environment, if it names one. */
export function armedFailpoint(): Failpoint | undefined {
  return FAILPOINTS.find((name) => name === armed);
}
