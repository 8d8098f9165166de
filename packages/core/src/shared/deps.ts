/** The explicit dependencies every store and service is built from; wired once in `createCore`. */

import type { BreachedPasswords } from "../auth/breached-passwords.ts";
import type { PasswordHasher } from "../auth/password-hasher.ts";
import type { Catalogs } from "../catalog/catalogs.ts";
import type { Db } from "../db/database.ts";
import type { Clock } from "./clock.ts";
import type { Ids } from "./ids.ts";

/** An audit event as it is also streamed to the log after its commit: no labels, no changes. */
export interface AuditRecord {
  readonly tenantId: string;
  readonly seq: number;
  readonly action: string;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly outcome: string;
  readonly ip: string | null;
  readonly requestId: string | null;
  /** The OWASP Logging Vocabulary name the use case gave, when the action alone does not tell it. */
  readonly vocabulary?: string;
}

export interface Deps {
  readonly db: Db;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly catalogs: Catalogs;
  readonly hasher: PasswordHasher;
  /** Where new passwords are looked up as breached (STAFFGATE_BREACHED_PASSWORDS), or null: off. */
  readonly breachedPasswords: BreachedPasswords | null;
  /**
   * The console's public base URL (STAFFGATE_PUBLIC_URL), without a trailing slash: every link in
   * an email is built from it, never from a request's Host header (SECURITY.md C-29).
   */
  readonly publicUrl: string;
  /**
   * Where every committed audit event is streamed besides the database (ASVS 16.4.3: a second,
   * separate record; the server sends it to its JSON log). Set once the server's logger exists.
   */
  readonly auditStream: { current: ((record: AuditRecord) => void) | null };
  /**
   * Told once a transaction that queued an email has committed, so the mailer delivers (or, without
   * SMTP, prints) it now instead of at its next interval. Set by the server while it delivers; a
   * promise it returns (printing, without SMTP) is waited for before the change answers.
   */
  readonly mailQueued: { current: (() => Promise<void> | undefined) | null };
}
