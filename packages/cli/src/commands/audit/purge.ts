/**
 * `staffgate audit purge --tenant <slug> [--before <ISO date>]`: delete the events past the
 * tenant's retention horizon (or before an earlier date) now, audited as the operator; the
 * server's hourly retention job does the same by itself.
 */
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { CommandError, operatorCtx, tenantBySlug, withCore } from "../open-core.ts";

export const auditPurge: Command = {
  usage: "staffgate audit purge --tenant <slug> [--before <ISO date>]",
  summary: "Delete a tenant's audit events past the retention horizon (--tenant <slug> [--before <date>])",
  run(args) {
    const { options } = parseArgs(args, ["tenant", "before"]);
    return withCore(async (core) => {
      const tenant = await tenantBySlug(core, options.tenant);
      const before = options.before;
      if (before !== undefined && (typeof before !== "string" || Number.isNaN(Date.parse(before)))) {
        throw new CommandError("--before takes a date, such as 2020-01-01T00:00:00Z", 2);
      }
      const ctx = operatorCtx(tenant.id);
      const result = await core.audit.purgeEvents(
        ctx,
        before === undefined ? {} : { before: new Date(before).toISOString() },
      );
      process.stdout.write(
        `purged ${result.purged} events (through seq ${result.purgedThroughSeq}); horizon ${result.horizon}\n`,
      );
      return 0;
    });
  },
};
