/**
 * Helpers for crash-recovery.test.ts: the real `staffgate serve` process (spawned, SIGKILLed by
 * its PID), a throwaway database (a SQLite file or a fresh PostgreSQL database), and the reads
 * made on that database while no server runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Db, openDatabase } from "@staffgate/core";
import SqliteDatabase from "better-sqlite3";
import pg from "pg";
import { STAFFGATE } from "../../cli/test/cli-helpers.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const OUTPUT_TAIL = 16_000;

export interface CrashDatabase {
  readonly kind: "sqlite" | "postgres";
  /** DATABASE_URL for the server: a file path or a postgres:// URL. */
  readonly url: string;
  /**
   * Called after the kill, before anything else opens the database. SQLite: the first open
   * (which recovers the WAL) runs `PRAGMA integrity_check` and `foreign_key_check` and returns
   * what they report. PostgreSQL: waits until the killed server's backends are gone, so that a
   * COMMIT it sent just before dying cannot land after our reads.
   */
  afterKill(): Promise<{ integrity: string[]; foreignKeyViolations: number }>;
  /** The project's own database handle (Kysely), for the checks made while no server runs. */
  open(): Db;
  drop(): Promise<void>;
}

export async function createCrashDatabase(
  kind: "sqlite" | "postgres",
  pgAdminUrl: string,
): Promise<CrashDatabase> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-crash-"));
    const file = path.join(dir, "staffgate.db");
    return {
      kind,
      url: file,
      async afterKill() {
        const db = new SqliteDatabase(file);
        try {
          const journal = db.pragma("journal_mode", { simple: true });
          if (journal !== "wal")
            throw new Error(`expected the server to leave a WAL database, got ${journal}`);
          const integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map(
            (r) => r.integrity_check,
          );
          const fk = db.pragma("foreign_key_check") as unknown[];
          return { integrity, foreignKeyViolations: fk.length };
        } finally {
          db.close();
        }
      },
      open: () => openDatabase(file, { poolSize: 1 }),
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `sg_crash_${randomBytes(6).toString("hex")}`;
  await withAdmin(pgAdminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = pgAdminUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    kind,
    url,
    async afterKill() {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await withAdmin(pgAdminUrl, (c) =>
          c.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1", [name]),
        );
        if (Number(rows[0]!.n) === 0) break;
        if (Date.now() > deadline) throw new Error(`the killed server's backends on ${name} did not go away`);
        await sleep(50);
      }
      return { integrity: ["ok"], foreignKeyViolations: 0 };
    },
    open: () => openDatabase(url, { poolSize: 2 }),
    async drop() {
      await withAdmin(pgAdminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** The last lines the process wrote (stderr banner and JSON logs), for failure messages. */
  output(): string;
  /** SIGKILL to this process's PID; resolves once it has exited by that signal. */
  kill(): Promise<void>;
  /** SIGTERM (then SIGKILL after 5 s) to this PID, for the end of the test. */
  stop(): Promise<void>;
  readonly exited: boolean;
  /** Resolves with how the process ended. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServeEnv {
  readonly databaseUrl: string;
  readonly bootstrapPassword: string;
  readonly operatorToken: string;
  /** Arms a failpoint (core shared/failpoint.ts) in the server process. */
  readonly failpoint?: string;
}

/** `staffgate serve` (the bundled command, cli-helpers.ts) on a free port; resolves once /readyz answers 200. */
export async function spawnServer(env: ServeEnv): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...STAFFGATE, "serve"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: env.databaseUrl,
      STAFFGATE_BOOTSTRAP_PASSWORD: env.bootstrapPassword,
      STAFFGATE_OPERATOR_TOKEN: env.operatorToken,
      STAFFGATE_PUBLIC_URL: "http://127.0.0.1",
      LOG_LEVEL: "warn",
      ...(env.failpoint ? { FAILPOINT: env.failpoint } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn the server");
  let out = "";
  let stderr = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-OUTPUT_TAIL);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", (d: Buffer) => {
    keep(d);
    if (stderr.length < OUTPUT_TAIL) stderr += d.toString();
  });
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up banner in 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const m = /running at (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        child.stderr!.off("data", onData);
        resolve(m[1]!);
      }
    };
    child.stderr!.on("data", onData);
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited during start-up (code ${code}, signal ${signal}):\n${out}`));
    });
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${url}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`/readyz did not answer 200 in 20 s:\n${out}`);
    await sleep(50);
  }

  const signalled = async (signal: NodeJS.Signals, graceMs?: number) => {
    if (exited) return;
    process.kill(pid, signal);
    if (graceMs === undefined) {
      await exit;
      return;
    }
    const timer = setTimeout(() => {
      if (!exited) process.kill(pid, "SIGKILL");
    }, graceMs);
    await exit;
    clearTimeout(timer);
  };

  return {
    url,
    pid,
    output: () => out,
    ended: exit,
    get exited() {
      return exited;
    },
    async kill() {
      // The PID is the node process itself (spawned without a shell); make sure before killing it.
      const cmdline = `/proc/${pid}/cmdline`;
      if (existsSync(cmdline) && !readFileSync(cmdline, "utf8").includes("serve")) {
        throw new Error(`PID ${pid} is not the spawned server`);
      }
      await signalled("SIGKILL");
      const { signal } = await exit;
      if (signal !== "SIGKILL") throw new Error(`the server ended by ${signal}, not by SIGKILL:\n${out}`);
    },
    stop: () => signalled("SIGTERM", 5_000),
  };
}
