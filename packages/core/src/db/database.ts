/** Opens Kysely on SQLite (default, a file) or PostgreSQL (`postgres://` URL). */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import SqliteDatabase from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  sql,
} from "kysely";
import pg from "pg";
import { foldSql } from "../shared/text.rules.ts";
import { createPgChangeWatch } from "./pg-change-watch.ts";
import type { Database } from "./schema.ts";
import { SplitSqliteDriver, type SplitSqliteOptions } from "./sqlite-driver.ts";
import { TenantGuardPlugin } from "./tenant-guard.ts";

export type Dialect = "sqlite" | "postgres";

/**
 * What tells a cached read that the database has not changed since (auth/caller-cache.ts). Two
 * counters: statements that can write run by this process's connection (counted before they run),
 * and a data version that moves when anything else commits. On SQLite that is `data_version`
 * read on the reader connection (sqlite-driver.ts; on `:memory:`, the one connection), which moves
 * when any other connection commits: this process's writer, or another process on the same file.
 * Rows are not kept while the writer has a transaction open (`inTransaction`), as before the reader
 * existed. On PostgreSQL it is db/pg-change-watch.ts (notifications and leases).
 */
export interface ChangeWatch {
  ownWrites(): number;
  dataVersion(): number;
  inTransaction(): boolean;
  /** PostgreSQL: resolves once this instance holds a lease, so kept rows count (tests, benchmarks). */
  trusted?(): Promise<boolean>;
  /** PostgreSQL: LISTENs on one more channel on the watch's connection (access/policy-cache.ts). */
  subscribe?(channel: string, handler: (payload: string) => void): void;
  /** PostgreSQL: resolves once the LISTEN connection is up. */
  listening?(): Promise<boolean>;
}

export interface Db {
  /** Every query on it names its tenant (db/tenant-guard.ts refuses one that does not). */
  readonly kysely: Kysely<Database>;
  /** The same connection without that check, for what spans tenants by design: use it by name. */
  readonly allTenants: Kysely<Database>;
  readonly dialect: Dialect;
  /** How to know that nothing was committed since a read (SQLite; PostgreSQL: db/pg-change-watch.ts). */
  readonly changes?: ChangeWatch;
  /**
   * Resolves once what this process committed so far is seen by every other instance's kept reads
   * (PostgreSQL; SQLite's instances read `data_version` and need no wait). shared/tx.ts awaits it
   * before a use case answers.
   */
  readonly settle?: () => Promise<void>;
  /** The PostgreSQL URL it was opened with (the decision cache LISTENs on its own connection). */
  readonly url?: string;
  /** SQLite: the absolute path of the file it opened (undefined in memory and on PostgreSQL). */
  readonly file?: string;
  destroy(): Promise<void>;
}

export const DEFAULT_DATABASE_URL = "./data/staffgate.db";

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * The SQLite file `url` names: anything that looks like a URL but PostgreSQL's (`mysql://…`,
 * `file:…`, `sqlite:…`) is refused rather than taken as an odd relative path. A missing directory
 * is created (zero configuration, wherever the file is put), and its creation is for the caller to
 * see in the banner's path.
 */
function sqliteFileOf(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(url)?.[1] ?? /^(file|sqlite):/i.exec(url)?.[1];
  if (scheme !== undefined) {
    // The scheme only: the rest may hold a password.
    throw new Error(
      `DATABASE_URL: "${scheme}:" is not supported; give a SQLite file path (e.g. ${DEFAULT_DATABASE_URL}), :memory:, or a postgres:// (postgresql://) URL`,
    );
  }
  if (url === ":memory:") return url;
  makeDirectories(dirname(url));
  return url;
}

/**
 * `mkdir -p`, one level at a time, so that the first level that cannot be made throws: Node 20's
 * recursive mkdirSync never returns for some paths (under /proc it retries ENOENT for ever, at
 * full CPU), which left `serve` hanging silently on such a DATABASE_URL.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/**
 * Writes SQLite's header `user_version` back unchanged, the smallest write there is: SQLite opens
 * a file it may not write (permissions, a read-only file system, an immutable flag) read-only
 * without a word, and every write then fails (SQLITE_READONLY, which this rethrows).
 */
export async function probeSqliteWrite(db: Db): Promise<void> {
  const { rows } = await sql<{ user_version: number }>`pragma user_version`.execute(db.kysely);
  await sql.raw(`pragma user_version = ${Number(rows[0]?.user_version ?? 0)}`).execute(db.kysely);
}

/**
 * A consistent copy of a SQLite database, into the new file `target`, while it is in use: `VACUUM
 * INTO` writes the database as one read transaction sees it (what is still in the write-ahead log
 * included), compacted, without stopping writers (`staffgate backup`).
 */
export async function copySqliteInto(db: Db, target: string): Promise<void> {
  await sql`vacuum into ${target}`.execute(db.allTenants);
}

/** Opens the database named by `url`; SQLite files get WAL, a busy timeout and foreign keys. */
export function openDatabase(
  url: string = DEFAULT_DATABASE_URL,
  options: { poolSize?: number; onIdleError?: (error: Error) => void } = {},
): Db {
  if (isPostgresUrl(url)) {
    // Keep BIGINT counts as numbers: our counts never approach 2^53.
    pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
    // A host that drops packets would otherwise hold a request (or a CLI command) without end; past
    // 10 s the request is a 503 DATABASE_UNAVAILABLE and the command fails, naming the database.
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
    });
    // An idle connection dropped by the server (restart, failover, admin command) must not crash
    // the process: pg emits it on the pool, and the next query simply opens a new connection.
    pool.on("error", (error) => options.onIdleError?.(error));
    const onIdleError = options.onIdleError;
    const watch = createPgChangeWatch(
      url,
      onIdleError ? { onError: (e) => onIdleError(e instanceof Error ? e : new Error(String(e))) } : {},
    );
    pool.on("connect", (client) => watch.countWrites(client));
    const allTenants = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const kysely = allTenants.withPlugin(new TenantGuardPlugin());
    return {
      kysely,
      allTenants,
      dialect: "postgres",
      url,
      changes: watch,
      settle: () => watch.settle(),
      destroy: async () => {
        await watch.close();
        await kysely.destroy();
      },
    };
  }
  const file = sqliteFileOf(url);
  const sqlite = openSqlite(file);
  const checkpointer = file === ":memory:" ? null : startCheckpointer(sqlite, file);
  let ownWrites = 0;
  const writer = withStatementCache(sqlite, () => {
    ownWrites += 1;
  });
  // A file gets a second connection for reads (sqlite-driver.ts); `:memory:` is one database per
  // connection, so it keeps one, and a read there waits for a writer as before.
  const reader = file === ":memory:" ? null : openSqlite(file);
  const allTenants = new Kysely<Database>({
    dialect: reader
      ? new SplitSqliteDialect({
          writer,
          reader: withStatementCache(reader, () => undefined),
          openReader: () => openSqlite(file),
        })
      : new ImmediateSqliteDialect({ database: writer }),
  });
  // `data_version` moves when another connection commits: on the reader, that is this process's
  // writer too, so its own commits are seen as well as other processes'.
  const dataVersion = (reader ?? sqlite).prepare("PRAGMA data_version").pluck();
  const kysely = allTenants.withPlugin(new TenantGuardPlugin());
  return {
    kysely,
    allTenants,
    dialect: "sqlite",
    ...(file === ":memory:" ? {} : { file: resolve(file) }),
    changes: {
      ownWrites: () => ownWrites,
      dataVersion: () => dataVersion.get() as number,
      inTransaction: () => sqlite.inTransaction,
    },
    destroy: async () => {
      await checkpointer?.terminate();
      await kysely.destroy();
    },
  };
}

/** A connection to `file` as every one here is set up: WAL, a busy timeout, foreign keys, sg_fold(). */
function openSqlite(file: string): SqliteDatabase.Database {
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma("journal_mode = WAL");
  // Contention waits here instead of reaching a client as SQLITE_BUSY (a 500).
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  // The text filters compare sg_fold(column) with the value folded alike (audit search and actor,
  // workspace search, work role): one query text for both databases, PostgreSQL's function made
  // by a migration (2026-12-07T20-00_text_fold). No index may be built on it here.
  sqlite.function("sg_fold", { deterministic: true }, (v: unknown) =>
    typeof v === "string" ? foldSql(v) : v,
  );
  sqlite.function("sg_lower", { deterministic: true }, (v: unknown) =>
    typeof v === "string" ? v.toLowerCase() : v,
  );

  return sqlite;
}

/** Kysely's SQLite dialect with the two-connection driver (sqlite-driver.ts). */
class SplitSqliteDialect extends SqliteDialect {
  constructor(private readonly connections: SplitSqliteOptions) {
    super({ database: connections.writer });
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    return new SplitSqliteDriver(this.connections);
  }
}

/**
 * Every transaction here is a use case that writes (shared/tx.ts), so it takes SQLite's write lock
 * at BEGIN. A deferred BEGIN that reads first (a tenant lock that is a plain SELECT on SQLite) must
 * later upgrade to a writer, and when another process has committed meanwhile SQLite refuses the
 * upgrade at once (SQLITE_BUSY_SNAPSHOT) without waiting its busy timeout: a 503 for a request that
 * only had to wait. `BEGIN IMMEDIATE` waits for the lock instead, up to `busy_timeout`.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw("begin immediate"));
    };
    return driver;
  }
}

/**
 * SQLite's DDL is transactional, but Kysely's SQLite adapter says it is not, so its migrator ran
 * each migration's statements, and the row recording it, as separate commits: a process killed
 * part-way left a migration half-applied (a column added, the record missing), and every later
 * start failed on "duplicate column" until someone repaired the file by hand (found by the
 * durability audit; one migration had dropped the trigger that protects the audit trail and not yet
 * re-created it). Saying so runs every pending migration and its record in one transaction, as on
 * PostgreSQL: all or nothing. That transaction begins IMMEDIATE (above), so two processes migrating
 * one file take turns, and the second finds nothing left to do.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** How often the background thread checkpoints the WAL. */
const CHECKPOINT_INTERVAL_MS = 200;

/**
 * Moves WAL checkpoints off the event loop (sqlite-checkpointer.mjs says why). The connection's
 * own auto-checkpoint is raised from 1,000 pages to 10,000 (40 MB) rather than turned off: it only
 * runs if the background thread falls behind or dies, and still bounds the WAL then.
 */
function startCheckpointer(sqlite: SqliteDatabase.Database, file: string): Worker {
  sqlite.pragma("wal_autocheckpoint = 10000");
  const worker = new Worker(new URL("./sqlite-checkpointer.mjs", import.meta.url), {
    workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS },
    execArgv: [], // plain JavaScript: no need for the parent's loader (`--import tsx`)
  });
  // Never keeps the process alive; an error (it could not open the file) leaves the fallback.
  worker.unref();
  worker.on("error", () => undefined);
  return worker;
}

/**
 * Kysely prepares every query anew; on the hot path (authentication, policy version) preparing
 * costs more than running. Statements are reused by SQL text — except one still being iterated
 * (a streamed export), which better-sqlite3 cannot run twice at once.
 *
 * Kysely asks for the statement right before each run, so this is also where a statement that can
 * write is seen before it runs: `onWrite` (ChangeWatch.ownWrites).
 */
function withStatementCache(
  db: SqliteDatabase.Database,
  onWrite: () => void,
  max = 500,
): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = db.prepare.bind(db);
  const cached = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      if (!hit.readonly) onWrite();
      return hit;
    }
    const stmt = prepare(source);
    if (!hit) {
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    if (!stmt.readonly) onWrite();
    return stmt;
  }) as SqliteDatabase.Database["prepare"];
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === "prepare") return cached;
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
