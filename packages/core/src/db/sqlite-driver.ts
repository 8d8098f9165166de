/**
 * Kysely's driver for a SQLite file with two connections, so that a read never waits for a writer.
 *
 * Kysely's own SQLite driver has one connection behind a mutex: while a use case's transaction was
 * open — a CSV import of 1,000 rows holds one for seconds, yielding to the event loop between rows
 * — every other request's first read (the token's row, the policy version) waited for it, and
 * `/check` stood still for the whole import (the scale audit: 7.7 s). In WAL mode a second
 * connection reads the last committed state while a writer works, which is what PostgreSQL's
 * READ COMMITTED gives every request, so the code is already written for it:
 *  - a statement that only reads, outside a transaction, runs on the **reader** at once;
 *  - a transaction (always `BEGIN IMMEDIATE`: every one is a use case that writes) and a write
 *    outside one take the **writer**, one at a time (the mutex Kysely's driver had);
 *  - a stream (Kysely's `.stream()`) gets a connection of its own for as long as it is iterated, so
 *    it holds its snapshot without holding either of the others.
 * better-sqlite3 runs each statement synchronously on this thread, so a single statement needs no
 * lock; only a sequence that must not be interleaved (a transaction) does.
 */
import type SqliteDatabase from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
} from "kysely";

export interface SplitSqliteOptions {
  /** The writer: transactions and writes (with its statement cache and write counting). */
  readonly writer: SqliteDatabase.Database;
  /** The reader: reads outside a transaction. */
  readonly reader: SqliteDatabase.Database;
  /** Opens another connection on the file, for a stream (closed when it ends). */
  readonly openReader: () => SqliteDatabase.Database;
}

/** A chain of waiters: `lock()` resolves when every earlier holder has called `unlock()`. */
class Mutex {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.#held) await this.#held;
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  unlock(): void {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }
}

function run(db: SqliteDatabase.Database, query: CompiledQuery): QueryResult<unknown> {
  const stmt = db.prepare(query.sql);
  const parameters = query.parameters as unknown[];
  if (stmt.reader) return { rows: stmt.all(parameters) };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return {
    numAffectedRows: BigInt(changes),
    insertId: BigInt(lastInsertRowid),
    rows: [],
  };
}

/** A raw statement that may read on the reader: one that starts as a query does. */
const QUERY_TEXT = /^\s*(select|with|values)\b/i;

/**
 * Whether `query` only reads: a SELECT built by Kysely, or raw SQL that is a query SQLite calls
 * read-only and returning rows. SQLite's "read-only" alone also covers statements that change the
 * connection (BEGIN, SAVEPOINT, PRAGMA foreign_keys = off, ATTACH): on the reader those would
 * pin its snapshot or set the wrong connection (found by review), so they go to the writer.
 */
function readsOnly(reader: SqliteDatabase.Database, query: CompiledQuery): boolean {
  if (SelectQueryNode.is(query.query)) return true;
  if (query.query.kind !== "RawNode" || !QUERY_TEXT.test(query.sql)) return false;
  try {
    const stmt = reader.prepare(query.sql);
    return stmt.readonly && stmt.reader;
  } catch {
    return false; // let the writer say what is wrong with it
  }
}

/** What Kysely holds between acquiring and releasing: it routes each statement. */
class RoutedConnection implements DatabaseConnection {
  /** Whether this connection holds the writer (from BEGIN to COMMIT or ROLLBACK). */
  holdsWriter = false;

  constructor(
    private readonly driver: SplitSqliteDriver,
    private readonly o: SplitSqliteOptions,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.holdsWriter) return run(this.o.writer, query) as QueryResult<R>;
    if (readsOnly(this.o.reader, query)) return run(this.o.reader, query) as QueryResult<R>;
    await this.driver.writerLock.lock();
    try {
      return run(this.o.writer, query) as QueryResult<R>;
    } finally {
      this.driver.writerLock.unlock();
    }
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error("SQLite streams only SELECT queries");
    if (this.holdsWriter) {
      for (const row of this.o.writer.prepare(query.sql).iterate(query.parameters as unknown[]))
        yield { rows: [row as R] };
      return;
    }
    const own = this.o.openReader();
    try {
      for (const row of own.prepare(query.sql).iterate(query.parameters as unknown[]))
        yield { rows: [row as R] };
    } finally {
      own.close();
    }
  }
}

export class SplitSqliteDriver implements Driver {
  readonly writerLock = new Mutex();

  constructor(private readonly o: SplitSqliteOptions) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this, this.o);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as RoutedConnection;
    await this.writerLock.lock();
    try {
      run(this.o.writer, CompiledQuery.raw("begin immediate"));
    } catch (error) {
      this.writerLock.unlock();
      throw error;
    }
    c.holdsWriter = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT leaves the transaction to Kysely's ROLLBACK, which lets the writer go.
    run(this.o.writer, CompiledQuery.raw("commit"));
    this.#letGo(connection as RoutedConnection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      // SQLite may have rolled back already (some errors end the transaction): nothing to undo then.
      if (this.o.writer.inTransaction) run(this.o.writer, CompiledQuery.raw("rollback"));
    } finally {
      this.#letGo(connection as RoutedConnection);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // Never expected: a transaction Kysely neither committed nor rolled back.
    const c = connection as RoutedConnection;
    if (c.holdsWriter) await this.rollbackTransaction(c);
  }

  async destroy(): Promise<void> {
    this.o.reader.close();
    this.o.writer.close();
  }

  #letGo(c: RoutedConnection): void {
    if (!c.holdsWriter) return;
    c.holdsWriter = false;
    this.writerLock.unlock();
  }
}
