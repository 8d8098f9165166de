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
import { type Command, CommandError, UsageError } from "../command.ts";
import { parseArgs, requireFlags } from "../flags.ts";
import { refusal, withCoreFlags } from "../open-core.ts";
import { actAsOperator } from "./operator.ts";

function print(report: ImportUsersResponse): void {
  for (const row of report.rows) {
    const what =
      row.action === "error"
        ? `error ${row.errors.map((e) => `${e.column}: ${e.message}`).join("; ")}`
        : row.action;
    process.stdout.write(`line ${row.line} ${row.email ?? "(no email)"}: ${what}\n`);
  }
  // After a real import, what was done; otherwise what would be (nothing was written).
  const counts = report.applied
    ? `imported: created ${report.created}, updated ${report.updated}, unchanged ${report.unchanged}`
    : `${report.dryRun ? "dry run" : "nothing written"}: ${report.created} to create, ${report.updated} to update, ${report.unchanged} unchanged, ${report.failed} with errors`;
  process.stdout.write(`${counts}\n`);
}

/**
 * The file's text, refusing bytes that are not UTF-8: a spreadsheet's "CSV" in Latin-1 or
 * Windows-1252 would otherwise import "Jos\uFFFD" for "José" without a word.
 */
async function readCsv(file: string): Promise<string> {
  // A file that cannot be read is a bad --file value (exit 2, with the usage), like an empty one.
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--file: cannot read ${file}: ${error.code ?? error.message}`);
  });
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CommandError(
      `${file} is not UTF-8: save it as "CSV UTF-8" (in Excel: Save As, CSV UTF-8) and import it again. Nothing was written.`,
    );
  }
}

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = { values: ["tenant", "file", "public-url"], switches: ["dry-run"] } as const;

export const userImport: Command = {
  flags: FLAGS,
  usage: "staffgate user import --tenant <slug> --file <users.csv> [--dry-run] [--public-url <url>]",
  summary: "Import users from CSV (--tenant <slug> --file <path> [--dry-run]); matched on email",
  async run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant", "file"]);
    const file = options.file!;
    // The file is read and checked before the database is opened: its problems are the operator's to fix first.
    let csv: string;
    try {
      csv = await readCsv(file);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    const body = ImportUsersBody.safeParse({ csv, dryRun: options["dry-run"] === true });
    if (!body.success) throw new UsageError(`--file: ${file} is empty or larger than 1 MB`);
    return withCoreFlags({ publicUrl: options["public-url"] }, async (core) => {
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
