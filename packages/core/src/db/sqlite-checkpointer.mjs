// The SQLite file's WAL checkpoints, on their own thread and connection (database.ts).
// Plain JavaScript so that it loads the same under `node --import tsx`, vitest and plain node.
//
// A checkpoint copies the WAL back into the database file and fsyncs both: milliseconds, up to
// tens on a busy disk. Left to SQLite, it runs inside whichever COMMIT crosses the threshold,
// i.e. on the event loop, stalling every request in flight. A PASSIVE checkpoint from another
// connection waits for no reader or writer and blocks none, so the event loop never pays for it.
import { workerData } from "node:worker_threads";
import SqliteDatabase from "better-sqlite3";

const { file, intervalMs } = workerData;
const db = new SqliteDatabase(file);
setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy (another instance's checkpoint runs) or a transient I/O error: the next tick retries,
    // and the main connection's own (raised) auto-checkpoint still bounds the WAL.
  }
}, intervalMs);
