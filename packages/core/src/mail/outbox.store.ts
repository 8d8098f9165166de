/**
 * The email outbox: messages are written in the same transaction as the change that causes them,
 * so a notification exists exactly when its change committed, whether or not a mail server is up.
 * Sending is mail/mailer.ts; the operator reads the bodies with `staffgate outbox`.
 */
import { randomBytes } from "node:crypto";
import type { OutboxTable } from "../db/schema.ts";
import type { Deps } from "../shared/deps.ts";
import { COMMIT_WAIT_MS, type Executor, onCommit, type Trx, waitAtMost } from "../shared/tx.ts";

export interface OutboxMessage {
  readonly to: string;
  readonly subject: string;
  /**
   * Plain text; may hold one-time links, so it is read back only by the operator and, once printed
   * to the log, by the readers mail/outbox-readers.ts allows. Never a password.
   */
  readonly body: string;
  /** What the message is about, e.g. `emergency_access.opened`. */
  readonly kind: string;
}

/**
 * Queues one message; call inside the transaction of the change it reports. Returns its id.
 * The change's answer waits until the message is printed to the log (no SMTP server: the link is
 * then readable in the outbox and the log as the answer arrives; found by the issue 4 audit on
 * PostgreSQL, where it came a few milliseconds later). `answerFirst`: for an anonymous request
 * whose time must not tell whether it queued anything (the failed sign-in that locks an account);
 * `printBy`: for one that waits only within a floor it keeps anyway (forgot-password).
 */
export async function enqueue(
  deps: Pick<Deps, "clock" | "mailQueued">,
  trx: Executor,
  tenantId: string,
  message: OutboxMessage,
  options: {
    readonly answerFirst?: boolean;
    /**
     * Wait for the printing only until this moment (`performance.now()`), then answer: for a
     * request that must take the same time whatever it queued (forgot-password's floor).
     */
    readonly printBy?: number;
  } = {},
): Promise<string> {
  const id = `msg_${randomBytes(16).toString("base64url")}`;
  await trx
    .insertInto("outbox")
    .values({
      tenant_id: tenantId,
      id,
      to_address: message.to,
      subject: message.subject,
      body: message.body,
      kind: message.kind,
      created_at: deps.clock.now().toISOString(),
      sent_at: null,
      attempts: 0,
      last_error: null,
      next_attempt_at: null,
      sent_via: null,
    })
    .execute();
  const { printBy } = options;
  const wake = options.answerFirst
    ? () => void deps.mailQueued.current?.()
    : printBy !== undefined
      ? () =>
          waitAtMost(Promise.resolve(deps.mailQueued.current?.()), Math.max(0, printBy - performance.now()))
      : () => deps.mailQueued.current?.();
  if (trx.isTransaction) onCommit(trx as Trx, wake);
  else await waitAtMost(Promise.resolve(wake()), COMMIT_WAIT_MS);
  return id;
}

/**
 * The operator's view (`staffgate outbox`): newest first, optionally one tenant's. Never served
 * by the API, since bodies hold one-time links.
 */
export function listOutbox(
  db: Executor,
  options: { readonly tenantId?: string | undefined; readonly limit: number },
): Promise<OutboxTable[]> {
  let q = db
    .selectFrom("outbox")
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(options.limit);
  if (options.tenantId !== undefined) q = q.where("tenant_id", "=", options.tenantId);
  return q.execute();
}

/** Whether a message of `kind` to `to` was queued after `since` (so a notice is not sent again). */
export async function queuedSince(
  db: Executor,
  where: { readonly tenantId: string; readonly to: string; readonly kind: string; readonly since: string },
): Promise<boolean> {
  const row = await db
    .selectFrom("outbox")
    .select("id")
    .where("tenant_id", "=", where.tenantId)
    .where("to_address", "=", where.to)
    .where("kind", "=", where.kind)
    .where("created_at", ">", where.since)
    .executeTakeFirst();
  return row !== undefined;
}
