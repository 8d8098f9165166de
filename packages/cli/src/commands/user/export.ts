/**
 * `staffgate user export --tenant <slug> [--status active|inactive|invited|archived|all]`: the
 * tenant's users as CSV on stdout, the same file as `GET /api/v1/users/export` (it imports back
 * through the API or the console); audited as the operator.
 */
import { ExportUsersQuery } from "@staffgate/contract";
import { type Command, UsageError } from "../command.ts";
import { parseArgs, requireFlags } from "../flags.ts";
import { operatorCtx, tenantBySlug, withCore } from "../open-core.ts";
import { writeAll } from "../stdout.ts";

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = { values: ["tenant", "status"] } as const;

export const userExport: Command = {
  flags: FLAGS,
  usage: "staffgate user export --tenant <slug> [--status active|inactive|invited|archived|all]",
  summary: "Export a tenant's users as CSV to stdout (--tenant <slug> [--status <status>], default all)",
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant"]);
    const parsed = ExportUsersQuery.safeParse({ status: options.status ?? "all" });
    if (!parsed.success) throw new UsageError("--status is active, inactive, invited, archived or all");
    return withCore(async (core) => {
      const tenant = await tenantBySlug(core, options.tenant);
      const ctx = operatorCtx(tenant.id);
      const lines = await core.userCsv.exportUsers(ctx, parsed.data);
      await writeAll(lines);
      return 0;
    });
  },
};
