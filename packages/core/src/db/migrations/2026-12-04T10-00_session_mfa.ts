/**
 * What a session proved about the second factor, so that the tenant's MFA requirement is judged on
 * every request (auth/session-purpose.rules.ts purposeNow), not only at sign-in:
 * - `mfa_verified`: the session passed a TOTP or recovery code or a remembered device at sign-in,
 *   or confirmed the enrolment itself. Sessions open before this migration of people enrolled then
 *   signed in with their code (an enrolled person cannot sign in without it), so they count.
 * - `mfa_waived`: the administrator's session that turned the requirement on keeps its reach
 *   (docs/decisions.md).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`alter table sessions add column mfa_verified integer not null default 0`.execute(db);
  await sql`alter table sessions add column mfa_waived integer not null default 0`.execute(db);
  await sql`update sessions set mfa_verified = 1 where exists (
    select 1 from users u where u.tenant_id = sessions.tenant_id and u.id = sessions.user_id and u.mfa_enrolled = 1
  )`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql`alter table sessions drop column mfa_waived`.execute(db);
  await sql`alter table sessions drop column mfa_verified`.execute(db);
}
