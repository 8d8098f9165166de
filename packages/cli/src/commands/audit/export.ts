/** `staffgate audit export --tenant <slug> [--format csv|jsonl]`: the whole trail to stdout (audited). */
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { CommandError, operatorCtx, tenantBySlug, withCore } from "../open-core.ts";
import { writeAll } from "../stdout.ts";

export const auditExport: Command = {
  usage: "staffgate audit export --tenant <slug> [--format csv|jsonl]",
  summary: "Export a tenant's audit trail to stdout (--tenant <slug> [--format csv|jsonl])",
  run(args) {
    const { options } = parseArgs(args, ["tenant", "format"]);
    return withCore(async (core) => {
      const format = options.format ?? "jsonl";
      if (format !== "csv" && format !== "jsonl") throw new CommandError("--format is csv or jsonl", 2);
      const tenant = await tenantBySlug(core, options.tenant);
      // The operator at the console exports: recorded as such in the audit.exported event.
      const ctx = operatorCtx(tenant.id);
      await writeAll(await core.audit.exportText(ctx, { format }));
      return 0;
    });
  },
};
