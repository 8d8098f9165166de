/**
 * The tenant's outbox for its administrators: delivery state, and a body only where
 * outbox-readers.ts allows it (contract/outbox.ts).
 */
import type { ListOutboxQuery, OutboxMessage } from "@staffgate/contract";
import { sql } from "kysely";
import type { Caller } from "../auth/caller.ts";
import { pastKeyset } from "../db/keyset.ts";
import type { OutboxTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import { decodePairCursor, encodeCursor } from "../shared/cursor.ts";
import type { Deps } from "../shared/deps.ts";
import { foldKey } from "../shared/text.rules.ts";
import { MAIL_DEFAULTS } from "./mailer.ts";
import { readableAddresses } from "./outbox-readers.ts";

/** A try counts as failed once it left an error: the mailer bumps `attempts` when it starts one. */
export function outboxState(
  row: Pick<OutboxTable, "sent_at" | "attempts" | "last_error">,
): OutboxMessage["state"] {
  if (row.sent_at !== null) return "sent";
  if (row.last_error === null) return "pending";
  return Number(row.attempts) >= MAIL_DEFAULTS.maxAttempts ? "given_up" : "failing";
}

function toMessage(
  row: Omit<OutboxTable, "tenant_id" | "next_attempt_at">,
  readable: boolean,
): OutboxMessage {
  return {
    id: row.id,
    to: row.to_address,
    subject: row.subject,
    kind: row.kind,
    createdAt: row.created_at,
    state: outboxState(row),
    sentAt: row.sent_at,
    sentVia: row.sent_via,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    body: readable ? row.body : null,
  };
}

export function createOutboxService(deps: Deps) {
  return {
    /** Newest first, with the list's keyset paging. */
    async listMessages(
      ctx: Ctx,
      caller: Caller,
      query: ListOutboxQuery,
    ): Promise<{ items: OutboxMessage[]; nextCursor: string | null }> {
      const after = decodePairCursor(query.cursor);
      let q = deps.db.kysely
        .selectFrom("outbox")
        .select([
          "body",
          "id",
          "to_address",
          "subject",
          "kind",
          "created_at",
          "sent_at",
          "sent_via",
          "attempts",
          "last_error",
        ])
        .where("tenant_id", "=", ctx.tenantId);
      const max = MAIL_DEFAULTS.maxAttempts;
      if (query.state === "sent") q = q.where("sent_at", "is not", null);
      if (query.state === "pending") q = q.where("sent_at", "is", null).where("last_error", "is", null);
      if (query.state === "failing")
        q = q.where("sent_at", "is", null).where("last_error", "is not", null).where("attempts", "<", max);
      if (query.state === "given_up")
        q = q.where("sent_at", "is", null).where("last_error", "is not", null).where("attempts", ">=", max);
      if (query.to) q = q.where(sql`lower(to_address)`, "=", query.to.trim().toLowerCase());
      if (after) q = q.where(pastKeyset("created_at", "id", "<", after));
      const rows = await q
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(query.limit + 1)
        .execute();
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const logged = page.filter((r) => r.sent_via === "log").map((r) => r.to_address);
      const readable = await readableAddresses(deps.db.kysely, caller, logged);
      return {
        items: page.map((r) => toMessage(r, r.sent_via === "log" && readable.has(foldKey(r.to_address)))),
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null,
      };
    },
  };
}
