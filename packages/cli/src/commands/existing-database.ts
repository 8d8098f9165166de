/**
 * Commands other than `migrate` work on a database that is already there: opening a SQLite path
 * that does not exist would create an empty file (and its directory) only to refuse it as not
 * migrated, leaving the file behind — under a mistyped path, a second database.
 */
import { existsSync } from "node:fs";
import { isPostgresUrl } from "@staffgate/core";

/** A URL of a scheme other than PostgreSQL's: openDatabase refuses it, naming the scheme (core db/database.ts). */
export function isOtherUrl(url: string): boolean {
  return !isPostgresUrl(url) && (/^[a-z][a-z0-9+.-]+:\/\//i.test(url) || /^(file|sqlite):/i.test(url));
}

/** The SQLite file `url` names when it does not exist; undefined for PostgreSQL, `:memory:` and an existing file. */
export function missingSqliteFile(url: string): string | undefined {
  if (isPostgresUrl(url) || url === ":memory:" || isOtherUrl(url)) return undefined;
  return existsSync(url) ? undefined : url;
}
