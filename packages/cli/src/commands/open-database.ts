/**
 * DATABASE_URL opened for a command, failing with a message that names the database and the
 * variable that chose it: the driver's own words ("connect ECONNREFUSED 127.0.0.1:5499", "file is
 * not a database") name neither, and an operator with several databases must see which one.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { type Db, isPostgresUrl, openDatabase, probeSqliteWrite } from "@staffgate/core";
import { CommandError } from "./command.ts";
import { isOtherUrl } from "./existing-database.ts";

/**
 * The database `url` names, as it may be printed: a PostgreSQL URL as host:port/database only (the
 * rest may hold a password), a SQLite file as its absolute path.
 */
function databaseLabel(url: string): string {
  if (!isPostgresUrl(url)) return url === ":memory:" ? "SQLite in memory" : `SQLite ${resolve(url)}`;
  try {
    const u = new URL(url);
    // As pg reads it: ?host= (a socket directory) wins over the URL's host; the database defaults to the user.
    const host = u.searchParams.get("host") || u.hostname || "localhost";
    const database = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || "postgres";
    return `PostgreSQL ${host}:${u.port || "5432"}/${database}`;
  } catch {
    return "PostgreSQL (a URL that does not parse)";
  }
}

/** The driver's reason, without the URL's password should a driver ever repeat it. */
function reasonOf(error: unknown, url: string): string {
  const errors = (error as { errors?: unknown[] } | null)?.errors;
  let reason = error instanceof Error ? error.message : String(error);
  // Node reports a refused `localhost` (tried as ::1 and 127.0.0.1) as an AggregateError without a message.
  if (!reason && Array.isArray(errors)) reason = errors.map((e) => (e as Error).message).join("; ");
  if (!reason) reason = (error as { code?: string } | null)?.code ?? "unknown error";
  let password = "";
  try {
    password = isPostgresUrl(url) ? decodeURIComponent(new URL(url).password) : "";
  } catch {
    // A URL that does not parse gave pg no password to repeat.
  }
  return password ? reason.split(password).join("***") : reason;
}

/** Whether `path` is a directory; false when it cannot even be looked at (ENOTDIR, EACCES). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

function cannotOpen(url: string, error: unknown): CommandError {
  // SQLite's "unable to open database file" does not say why; a directory is the likely mistake.
  if (!isPostgresUrl(url) && isDirectory(url)) {
    error = new Error("it is a directory; give the path of the database file in it");
  }
  // A Node socket error (ECONNREFUSED, ENOTFOUND, ETIMEDOUT) is a server never reached; anything
  // else is the server's answer (no such database, role or password).
  const code = (error as { code?: unknown } | null)?.code;
  // node-postgres' own connection timeout carries no code: a server that never answered.
  const unreached =
    (typeof code === "string" && /^E[A-Z]+$/.test(code)) ||
    (error instanceof Error &&
      /timeout exceeded when trying to connect|due to connection timeout/i.test(error.message));
  const verb = isPostgresUrl(url) && unreached ? "reach" : "open";
  return new CommandError(
    `Could not ${verb} the database DATABASE_URL names (${databaseLabel(url)}): ${reasonOf(error, url)}`,
  );
}

/**
 * Opens `url` and runs one query, so that an unreachable server, a missing database, a refused role
 * or a file that is not SQLite fails here, named, and not in whatever query comes first.
 */
export async function openDatabaseOrExplain(url: string, options: { poolSize?: number } = {}): Promise<Db> {
  let db: Db;
  try {
    db = openDatabase(url, options);
  } catch (error) {
    // Another scheme's URL: core's refusal names DATABASE_URL and the scheme, never the rest.
    if (isOtherUrl(url)) throw new CommandError(error instanceof Error ? error.message : String(error));
    throw cannotOpen(url, error);
  }
  try {
    await db.kysely.selectNoFrom((eb) => eb.lit(1).as("one")).execute();
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw cannotOpen(url, error);
  }
  if (db.dialect === "sqlite" && url !== ":memory:") await writableOrExplain(db, url);
  return db;
}

/**
 * SQLite opens a file it may not write (its permissions, a read-only file system, an immutable
 * flag) read-only without a word, and every write then fails as a 500 (found by the durability
 * audit: the server started, said ready, and refused every sign-in).
 */
async function writableOrExplain(db: Db, url: string): Promise<void> {
  try {
    await probeSqliteWrite(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    const reason =
      (error as { code?: unknown } | null)?.code === "SQLITE_READONLY"
        ? "the file is read-only (its permissions, its file system or an immutable flag), and Staffgate writes to it"
        : reasonOf(error, url);
    throw new CommandError(
      `Could not write to the database DATABASE_URL names (${databaseLabel(url)}): ${reason}`,
    );
  }
}

/**
 * `openDatabaseOrExplain` for a command that stops when it cannot: the database, or the exit code
 * after its reason was written to stderr.
 */
export async function openOrExit(url: string): Promise<Db | number> {
  try {
    return await openDatabaseOrExplain(url);
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
}
