/**
 * `staffgate outbox [--tenant <slug>] [--limit <n>]`: the email outbox, newest first, with each
 * message in full, so every link works locally without a mail server. Operator-only: bodies hold
 * one-time links, and the API never serves them.
 */
import { listOutbox } from "@staffgate/core";
import type { Command } from "./command.ts";
import { parseArgs } from "./command.ts";
import { CommandError, tenantBySlug, withCore } from "./open-core.ts";

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

export const outbox: Command = {
  usage: "staffgate outbox [--tenant <slug>] [--limit <n>]",
  summary: "Print the email outbox, newest first ([--tenant <slug>] [--limit <n>], default 20)",
  run(args) {
    const { options } = parseArgs(args, ["tenant", "limit"]);
    return withCore(async (core) => {
      let limit = DEFAULT_LIMIT;
      if (options.limit !== undefined) {
        limit = typeof options.limit === "string" ? Number(options.limit) : Number.NaN;
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
          throw new CommandError(`--limit is a whole number from 1 to ${MAX_LIMIT}`, 2);
        }
      }
      const tenant = options.tenant === undefined ? undefined : await tenantBySlug(core, options.tenant);
      const rows = await listOutbox(core.deps.db.kysely, { tenantId: tenant?.id, limit });
      const slugs = new Map<string, string>();
      for (const t of await core.deps.db.kysely.selectFrom("tenants").select(["id", "slug"]).execute()) {
        slugs.set(t.id, t.slug);
      }
      if (rows.length === 0) {
        process.stdout.write("The outbox is empty.\n");
        return 0;
      }
      for (const row of rows) {
        const state = row.sent_at
          ? `sent ${row.sent_at} via ${row.sent_via ?? "smtp"}`
          : row.attempts > 0
            ? `pending: ${row.attempts} failed attempt(s), last error: ${row.last_error ?? "?"}`
            : "pending";
        process.stdout.write(
          [
            `── ${row.id} · ${row.created_at} · tenant ${slugs.get(row.tenant_id) ?? row.tenant_id} · ${row.kind} · ${state}`,
            `To: ${row.to_address}`,
            `Subject: ${row.subject}`,
            "",
            row.body.trimEnd(),
            "",
            "",
          ].join("\n"),
        );
      }
      return 0;
    });
  },
};
