/**
 * Whether a user's password was long enough to be the only factor when it was chosen (NIST
 * 800-63B: the single-factor minimum, 15 by default), so that an administrator's MFA reset asks
 * for a new password only when the current one was chosen under the with-MFA minimum
 * (auth/mfa.service.ts). 1 yes, 0 no, null unknown or no password.
 *
 * Existing rows: a user not enrolled and not asked to change it holds a password that met the
 * single-factor minimum (a new user's is checked so, and MFA is turned off only with a password
 * long enough alone); the rest stay unknown, which an MFA reset treats as short.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`alter table users add column password_alone integer`.execute(db);
  await sql`update users set password_alone = 1
    where password_hash is not null and mfa_enrolled = 0 and must_change_password = 0`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql`alter table users drop column password_alone`.execute(db);
}
