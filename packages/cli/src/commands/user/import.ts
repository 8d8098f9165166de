/**
 * `staffgate user import --tenant <slug> --file <users.csv> [--dry-run]`: the API's CSV import
 * (rows matched on email: update, else create an invited user; all or nothing), as the operator.
 * Prints one line per row; exit 0 when every row is fine, 1 when any row has an error (nothing is
 * written then), 2 for usage.
 */
import { readFile } from "node:fs/promises";
import { ImportUsersBody, type ImportUsersResponse } from "@staffgate/contract";
import { isAppError } from "@staffgate/core";
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { CommandError, refusal, withCore } from "../open-core.ts";
import { actAsOperator } from "./operator.ts";

function print(report: ImportUsersResponse): void {
  for (const row of report.rows) {
    const what =
      row.action === "error"
        ? `error ${row.errors.map((e) => `${e.column}: ${e.message}`).join("; ")}`
        : row.action;
    process.stdout.write(`line ${row.line} ${row.email ?? "(no email)"}: ${what}\n`);
  }
  const verb = report.applied ? "imported" : report.dryRun ? "dry run" : "nothing written";
  process.stdout.write(
    `${verb}: ${report.created} to create, ${report.updated} to update, ${report.unchanged} unchanged, ${report.failed} with errors\n`,
  );
}

export const userImport: Command = {
  summary: "Import users from CSV (--tenant <slug> --file <path> [--dry-run]); matched on email",
  run(args) {
    const { options } = parseArgs(args, ["tenant", "file", "dry-run"]);
    return withCore(async (core) => {
      if (typeof options.file !== "string") throw new CommandError("--file <path> is required", 2);
      if (options["dry-run"] !== undefined && options["dry-run"] !== true) {
        throw new CommandError("--dry-run takes no value", 2);
      }
      const csv = await readFile(options.file, "utf8").catch(() => {
        throw new CommandError(`Cannot read ${options.file}`);
      });
      const body = ImportUsersBody.safeParse({ csv, dryRun: options["dry-run"] === true });
      if (!body.success) throw new CommandError("The file is empty or larger than 1 MB", 2);
      const { ctx, caller } = await actAsOperator(core, options.tenant);
      try {
        const report = await core.userCsv.importUsers(ctx, caller, body.data);
        print(report);
        return 0;
      } catch (error) {
        if (isAppError(error, "USER_IMPORT_INVALID")) {
          print(error.extensions.report as ImportUsersResponse);
          return 1;
        }
        refusal(error);
      }
    });
  },
};
