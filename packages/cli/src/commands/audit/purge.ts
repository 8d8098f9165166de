/**
 * `staffgate audit purge --tenant <slug> [--before <date>]`: delete the events past the tenant's
 * retention horizon (or before an earlier date) now, audited as the operator; the server's hourly
 * retention job does the same by itself.
 */
import { AuditPurgeRequest } from "@staffgate/contract";
import { type Command, UsageError } from "../command.ts";
import { parseArgs, requireFlags } from "../flags.ts";
import { operatorCtx, tenantBySlug, withCore } from "../open-core.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `--before` as the API takes it (a date-time with its offset), or a date alone, read as the start
 * of that day in UTC. Nothing looser: Date.parse reads "12" as 2001-12-01, and a purge deletes.
 */
export function purgeBefore(given: string): string {
  const stamp = DATE.test(given) ? `${given}T00:00:00.000Z` : given;
  const parsed = AuditPurgeRequest.safeParse({ before: stamp });
  if (!parsed.success) {
    throw new UsageError(
      `--before takes a date (2020-01-31) or an ISO 8601 date-time with its offset (2020-01-31T00:00:00Z), not "${given}"`,
    );
  }
  return new Date(stamp).toISOString();
}

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = { values: ["tenant", "before"] } as const;

export const auditPurge: Command = {
  flags: FLAGS,
  usage: "staffgate audit purge --tenant <slug> [--before <date or date-time>]",
  summary: "Delete a tenant's audit events past the retention horizon (--tenant <slug> [--before <date>])",
  details:
    "--before: a date (2020-01-31, the start of that day in UTC) or an ISO 8601 date-time with its offset (2020-01-31T12:00:00+01:00); without it, the tenant's retention horizon.",
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant"]);
    const before = options.before === undefined ? undefined : purgeBefore(options.before);
    return withCore(async (core) => {
      const tenant = await tenantBySlug(core, options.tenant);
      const ctx = operatorCtx(tenant.id);
      const result = await core.audit.purgeEvents(ctx, before === undefined ? {} : { before });
      process.stdout.write(
        `purged ${result.purged} events before ${result.before} (through seq ${result.purgedThroughSeq}); retention horizon ${result.horizon}\n`,
      );
      return 0;
    });
  },
};
