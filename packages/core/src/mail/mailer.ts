/**
 * Email delivery (issue 4 item 11). Use cases only ever write outbox rows (outbox.store.ts), in
 * the transaction of their change; this loop drains them, so a slow or failing mail server can
 * never change an API answer (forgot-password stays 202): failures are recorded on the row
 * (attempts, last_error, a backoff in next_attempt_at) and logged.
 *
 * - With `SMTP_URL`: nodemailer sends each message; `sent_via = "smtp"`.
 * - Without it (local development): each message is printed to the server log, one-time links
 *   included, so every link works locally; `sent_via = "log"`. Those rows are never sent later by
 *   SMTP. `staffgate outbox` shows every row either way.
 *
 * Several instances may run the loop on one database: a row is claimed with a conditional update
 * (a lease in next_attempt_at) before it is sent, so only one instance sends it.
 *
 * Once SMTP has taken a message, the one-time tokens of its links are dropped from the stored body
 * (SECURITY.md C-26: the database holds a link's hash, never the link): the recipient's mailbox
 * holds the only copy. A message printed to the log keeps its body, which is how
 * `staffgate outbox` and the console give local links.
 */
import nodemailer from "nodemailer";
import type { OutboxTable } from "../db/schema.ts";
import type { Deps } from "../shared/deps.ts";
import { COMMIT_WAIT_MS } from "../shared/tx.ts";

/** What a link's token is replaced by in a body SMTP has delivered. */
export const DELIVERED_TOKEN = "(sent by email, not kept)";

/** What a link's token is replaced by in a body the mailer gave up on. */
export const UNSENT_TOKEN = "(not delivered, not kept)";

/** The body with every emailed link's token (`#token=…`, auth/credential-emails.ts) replaced. */
export function withoutLinkTokens(body: string, replacement = DELIVERED_TOKEN): string {
  return body.replace(/#token=[^\s]+/g, `#token=${replacement}`);
}

/** One message as handed to a transport. */
export interface MailMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface MailTransport {
  /** "smtp" for a real server (or a test transport standing in for one), "log" for the log printer. */
  readonly via: "smtp" | "log";
  send(message: MailMessage): Promise<void>;
  close?(): void;
}

/** The subset of a pino logger the loop writes to. */
export interface MailLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Minimal shape of a nodemailer transporter, so tests can inject jsonTransport or streamTransport. */
export interface NodemailerLike {
  sendMail(message: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
  close?(): void;
}

export function nodemailerTransport(transporter: NodemailerLike): MailTransport {
  return {
    via: "smtp",
    async send(message) {
      await transporter.sendMail({ ...message });
    },
    close: () => transporter.close?.(),
  };
}

/** SMTP from a URL such as `smtp://user:pass@host:587` or `smtps://host:465`. */
export function smtpTransport(url: string): MailTransport {
  return nodemailerTransport(
    nodemailer.createTransport(url, {
      // Bounded so a hanging server delays only this loop, never a request.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as never) as NodemailerLike,
  );
}

/** No SMTP configured: the whole message, links included, goes to the log (local development). */
export function logTransport(log: MailLog): MailTransport {
  return {
    via: "log",
    async send(message) {
      log.info(
        { event: "mail_outbox", to: message.to, subject: message.subject, body: message.text },
        `email (no SMTP_URL configured, printed instead of sent) to ${message.to}: ${message.subject}\n${message.text}`,
      );
    },
  };
}

export interface MailerOptions {
  readonly transport: MailTransport;
  readonly log: MailLog;
  readonly from?: string;
  /** Rows per pass. */
  readonly batchSize?: number;
  /** After this many failed attempts a row is given up (left unsent, logged once). */
  readonly maxAttempts?: number;
}

export interface DeliveryRun {
  readonly sent: number;
  readonly failed: number;
  /** Rows another instance claimed first. */
  readonly skipped: number;
}

export const MAIL_DEFAULTS = {
  from: "Staffgate <no-reply@staffgate.invalid>",
  batchSize: 50,
  maxAttempts: 8,
  /** How long a claimed row is reserved for the instance sending it. */
  leaseMs: 5 * 60_000,
  /** Backoff after failure n: 1, 2, 4 … minutes, at most an hour. */
  backoffBaseMs: 60_000,
  backoffMaxMs: 3_600_000,
} as const;

export function backoffMs(attempts: number): number {
  return Math.min(MAIL_DEFAULTS.backoffMaxMs, MAIL_DEFAULTS.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
}

/** Errors from a mail server can quote the message; keep the first line, bounded. */
function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? "").slice(0, 500);
}

export function createMailer(deps: Pick<Deps, "db" | "clock">, options: MailerOptions) {
  const { transport, log } = options;
  const from = options.from ?? MAIL_DEFAULTS.from;
  const batchSize = options.batchSize ?? MAIL_DEFAULTS.batchSize;
  const maxAttempts = options.maxAttempts ?? MAIL_DEFAULTS.maxAttempts;
  const db = deps.db.kysely;
  let running: Promise<DeliveryRun> | null = null;
  let timer: NodeJS.Timeout | null = null;

  /** Claims the row for this instance: true only for the one whose conditional update hit it. */
  async function claim(row: OutboxTable, now: string): Promise<boolean> {
    const lease = new Date(Date.parse(now) + MAIL_DEFAULTS.leaseMs).toISOString();
    let q = db
      .updateTable("outbox")
      .set({ attempts: row.attempts + 1, next_attempt_at: lease })
      .where("tenant_id", "=", row.tenant_id)
      .where("id", "=", row.id)
      .where("sent_at", "is", null)
      .where("attempts", "=", row.attempts);
    q =
      row.next_attempt_at === null
        ? q.where("next_attempt_at", "is", null)
        : q.where("next_attempt_at", "=", row.next_attempt_at);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async function deliverOne(row: OutboxTable): Promise<"sent" | "failed" | "skipped"> {
    const now = deps.clock.now().toISOString();
    if (!(await claim(row, now))) return "skipped";
    const attempts = row.attempts + 1;
    const about = { event: "mail", messageId: row.id, tenantId: row.tenant_id, kind: row.kind, attempts };
    try {
      await transport.send({ from, to: row.to_address, subject: row.subject, text: row.body });
    } catch (error) {
      const lastError = errorText(error);
      const retryAt = new Date(Date.parse(now) + backoffMs(attempts)).toISOString();
      const abandoned = attempts >= maxAttempts;
      await db
        .updateTable("outbox")
        // Given up, the message will never be sent: its links' tokens are no one's to keep (C-26).
        .set({
          last_error: lastError,
          next_attempt_at: retryAt,
          ...(abandoned ? { body: withoutLinkTokens(row.body, UNSENT_TOKEN) } : {}),
        })
        .where("tenant_id", "=", row.tenant_id)
        .where("id", "=", row.id)
        .execute();
      if (abandoned) {
        log.error(
          { ...about, event: "mail_delivery_abandoned", error: lastError },
          "email delivery failed; giving up",
        );
      } else {
        log.warn(
          { ...about, event: "mail_delivery_failed", error: lastError, retryAt },
          "email delivery failed",
        );
      }
      return "failed";
    }
    await db
      .updateTable("outbox")
      .set({
        sent_at: deps.clock.now().toISOString(),
        sent_via: transport.via,
        last_error: null,
        next_attempt_at: null,
        ...(transport.via === "smtp" ? { body: withoutLinkTokens(row.body) } : {}),
      })
      .where("tenant_id", "=", row.tenant_id)
      .where("id", "=", row.id)
      .execute();
    if (transport.via === "smtp") log.info({ ...about, event: "mail_sent" }, "email sent");
    return "sent";
  }

  /**
   * Messages given up whose links still hold their tokens: a last attempt cut short (the process
   * killed while sending, after its claim counted the attempt) never reached the scrub above, and
   * neither did messages given up before it existed. Its lease ended, nobody is sending it.
   */
  async function scrubGivenUp(now: string): Promise<void> {
    const rows = await deps.db.allTenants
      .selectFrom("outbox")
      .select(["tenant_id", "id", "body"])
      .where("sent_at", "is", null)
      .where("next_attempt_at", "<=", now)
      .where("attempts", ">=", maxAttempts)
      .where("body", "like", "%#token=%")
      .where("body", "not like", `%#token=${UNSENT_TOKEN}%`)
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      await db
        .updateTable("outbox")
        .set({ body: withoutLinkTokens(row.body, UNSENT_TOKEN) })
        .where("tenant_id", "=", row.tenant_id)
        .where("id", "=", row.id)
        .where("sent_at", "is", null)
        .execute();
    }
  }

  /** One pass over the due rows of every tenant, oldest first. Never throws. */
  async function pass(): Promise<DeliveryRun> {
    let sent = 0;
    let failed = 0;
    let skipped = 0;
    try {
      const now = deps.clock.now().toISOString();
      // The one place that reads the outbox across tenants; each row is then handled on its own.
      const due = await deps.db.allTenants
        .selectFrom("outbox")
        .selectAll()
        .where("sent_at", "is", null)
        .where("attempts", "<", maxAttempts)
        .where((eb) => eb.or([eb("next_attempt_at", "is", null), eb("next_attempt_at", "<=", now)]))
        .orderBy("created_at")
        .orderBy("id")
        .limit(batchSize)
        .execute();
      for (const row of due) {
        try {
          const outcome = await deliverOne(row);
          if (outcome === "sent") sent += 1;
          else if (outcome === "failed") failed += 1;
          else skipped += 1;
        } catch (error) {
          failed += 1;
          log.error(
            { event: "mail_delivery_error", messageId: row.id, error: errorText(error) },
            "email delivery error",
          );
        }
      }
      await scrubGivenUp(now);
    } catch (error) {
      log.error({ event: "mail_delivery_error", error: errorText(error) }, "email delivery pass failed");
    }
    return { sent, failed, skipped };
  }

  function deliverPending(): Promise<DeliveryRun> {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    via: transport.via,
    /** Runs one pass now; joins the pass in progress instead of starting a second one. */
    deliverPending,
    /** Drains the outbox every `intervalMs` until `stop`, and whenever `wake` says a message is queued. */
    start(intervalMs: number): void {
      if (timer) return;
      timer = setInterval(() => void deliverPending(), intervalMs);
      timer.unref();
    },
    /**
     * A message was just queued (its transaction committed): deliver it now, not at the next
     * interval, so a reset link is in the mailbox, or the log, as the person waits for it. A pass
     * in progress may have read the outbox before the message was there: then in the pass after
     * it (the wakes that come meanwhile share that one). Only while started; settles when the
     * passes that take the message are over.
     */
    async wake(): Promise<void> {
      if (!timer) return;
      const inProgress = running;
      if (inProgress) await inProgress.catch(() => {});
      // A pass takes one batch: a change that queued more (an import's invitations) is printed
      // by as many passes as it takes, while each sends a full batch and for COMMIT_WAIT_MS at
      // most (what the change waits). Rows that fail are retried by the interval, not here: a
      // row whose every update fails would otherwise keep this loop going (found by the review).
      const until = Date.now() + COMMIT_WAIT_MS;
      while (timer) {
        const run = await deliverPending();
        if (run.sent < batchSize || Date.now() >= until) break;
      }
    },
    /** Stops the timer and waits for a pass in progress, then closes the transport. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
      transport.close?.();
    },
  };
}

export type Mailer = ReturnType<typeof createMailer>;
