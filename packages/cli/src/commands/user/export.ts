/**
 * `staffgate user export --tenant <slug> [--status active|inactive|invited|archived|all]`: the
 * tenant's users as CSV on stdout, the same file as `GET /api/v1/users/export` (it imports back
 * through the API or the console); audited as the operator.
 */
import { ExportUsersQuery } from "@staffgate/contract";
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { CommandError, operatorCtx, tenantBySlug, withCore } from "../open-core.ts";
import { writeAll } from "../stdout.ts";

export const userExport: Command = {
  usage: "staffgate user export --tenant <slug> [--status active|inactive|invited|archived|all]",
  summary: "Export a tenant's users as CSV to stdout (--tenant <slug> [--status <status>], default all)",
  run(args) {
    const { options } = parseArgs(args, ["tenant", "status"]);
    return withCore(async (core) => {
      const parsed = ExportUsersQuery.safeParse({ status: options.status ?? "all" });
      if (!parsed.success) {
        throw new CommandError("--status is active, inactive, invited, archived or all", 2);
      }
      const tenant = await tenantBySlug(core, options.tenant);
      const ctx = operatorCtx(tenant.id);
      const lines = await core.userCsv.exportUsers(ctx, parsed.data);
      await writeAll(lines);
      return 0;
    });
  },
};
