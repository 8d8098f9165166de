/**
 * `staffgate outbox [--tenant <slug>] [--limit <n>]`: the email outbox, newest first, with each
 * message in full, so every link works locally without a mail server. Operator-only: bodies hold
 * one-time links, and the API never serves them.
 */
import { listOutbox, outboxState } from "@staffgate/core";
import { type Command, UsageError } from "./command.ts";
import { parseArgs } from "./flags.ts";
import { tenantBySlug, withCore } from "./open-core.ts";

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = { values: ["tenant", "limit"] } as const;

export const outbox: Command = {
  flags: FLAGS,
  usage: "staffgate outbox [--tenant <slug>] [--limit <n>]",
  summary: "Print the email outbox, newest first ([--tenant <slug>] [--limit <n>], default 20)",
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    const given = options.limit;
    const limit = given === undefined ? DEFAULT_LIMIT : /^\d+$/.test(given) ? Number(given) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT)) {
      throw new UsageError(`--limit is a whole number from 1 to ${MAX_LIMIT}`);
    }
    return withCore(async (core) => {
      const tenant = options.tenant === undefined ? undefined : await tenantBySlug(core, options.tenant);
      // Without --tenant, the operator reads every tenant's mail: the one outbox of the deployment.
      const rows = await listOutbox(core.deps.db.allTenants, { tenantId: tenant?.id, limit });
      const slugs = new Map<string, string>();
      for (const t of await core.deps.db.kysely.selectFrom("tenants").select(["id", "slug"]).execute()) {
        slugs.set(t.id, t.slug);
      }
      if (rows.length === 0) {
        process.stdout.write("The outbox is empty.\n");
        return 0;
      }
      for (const row of rows) {
        // The console's and the API's words for where a message is (given up after the last attempt).
        const state = {
          sent: `sent ${row.sent_at} via ${row.sent_via ?? "smtp"}`,
          pending: "pending",
          failing: `pending: ${row.attempts} failed attempt(s), last error: ${row.last_error ?? "?"}`,
          given_up: `given up after ${row.attempts} attempts, last error: ${row.last_error ?? "?"}`,
        }[outboxState(row)];
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
