/**
 * `staffgate user import --tenant <slug> --file <users.csv> [--dry-run] [--public-url <url>]`: the
 * API's CSV import (rows matched on email: update, else create an invited user, its link built from
 * STAFFGATE_PUBLIC_URL or `--public-url`; all or nothing), as the operator.
 * Prints one line per row; exit 0 when every row is fine, 1 when any row has an error (nothing is
 * written then; with --dry-run too, so a script can gate on the dry run), 2 for usage.
 */
import { readFile } from "node:fs/promises";
import { ImportUsersBody, type ImportUsersResponse } from "@staffgate/contract";
import { isAppError } from "@staffgate/core";
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { CommandError, refusal, withCoreFlags } from "../open-core.ts";
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

/**
 * The file's text, refusing bytes that are not UTF-8: a spreadsheet's "CSV" in Latin-1 or
 * Windows-1252 would otherwise import "Jos\uFFFD" for "José" without a word.
 */
function utf8OrThrow(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CommandError(
      `${file} is not UTF-8: save it as "CSV UTF-8" (in Excel: Save As, CSV UTF-8) and import it again. Nothing was written.`,
    );
  }
}

export const userImport: Command = {
  usage: "staffgate user import --tenant <slug> --file <users.csv> [--dry-run] [--public-url <url>]",
  summary: "Import users from CSV (--tenant <slug> --file <path> [--dry-run]); matched on email",
  run(args) {
    const { options } = parseArgs(args, ["tenant", "file", "dry-run", "public-url"]);
    return withCoreFlags({ publicUrl: options["public-url"] }, async (core) => {
      if (typeof options.file !== "string") throw new CommandError("--file <path> is required", 2);
      if (options["dry-run"] !== undefined && options["dry-run"] !== true) {
        throw new CommandError("--dry-run takes no value", 2);
      }
      const bytes = await readFile(options.file).catch(() => {
        throw new CommandError(`Cannot read ${options.file}`);
      });
      const csv = utf8OrThrow(bytes, options.file);
      const body = ImportUsersBody.safeParse({ csv, dryRun: options["dry-run"] === true });
      if (!body.success) throw new CommandError("The file is empty or larger than 1 MB", 2);
      const { ctx, caller } = await actAsOperator(core, options.tenant);
      try {
        const report = await core.userCsv.importUsers(ctx, caller, body.data);
        print(report);
        // A dry run answers like the real run would, so a script can gate the import on it.
        return report.failed > 0 ? 1 : 0;
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
