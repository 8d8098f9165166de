/**
 * Whether a failure means the database could not be reached or used just now (it is down,
 * restarting, dropped, its file is locked by another process or was moved), which is the
 * service being unavailable (503, the client may retry), not a fault in the request (500).
 */

/** Node socket errors on the way to PostgreSQL. */
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE"]);

/** PostgreSQL SQLSTATEs: connection exceptions (08…), shutdown and recovery (57P01–57P03), no such database, too many connections. */
const PG_UNAVAILABLE = /^(08...|57P0[123]|3D000|53300)$/;

/** better-sqlite3 codes: another process holds the lock past the busy timeout, or the file is gone. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|READONLY_DBMOVED|IOERR)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === "string" &&
    (NETWORK.has(code) || PG_UNAVAILABLE.test(code) || SQLITE_UNAVAILABLE.test(code))
  ) {
    return true;
  }
  // node-postgres' own words when a pooled connection dies or none can be had in time.
  return /Connection terminated|timeout exceeded when trying to connect/i.test(error.message);
}
