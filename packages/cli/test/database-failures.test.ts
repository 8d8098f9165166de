/**
 * A database that cannot be opened is named in the CLI's message: which one (a SQLite path, or
 * PostgreSQL's host:port/database, never the password in the URL), that DATABASE_URL chose it, and
 * the driver's reason; not "migration unknown failed". `check` answers such a failure with exit 3,
 * as 1 means "denied".
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-helpers.ts";

const CHECK = ["check", "--tenant", "north", "--user", "root", "--permission", "users.view"];
const PASSWORD = "s3cret-canary-heron-4471";
/** What `serve` needs besides the database to get as far as opening it. */
const SERVE_ENV = { PORT: "0", STAFFGATE_PUBLIC_URL: "http://127.0.0.1:9" };

describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")(
  "a SQLite DATABASE_URL that cannot be opened",
  { timeout: 60_000 },
  () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "staffgate-dbfail-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("a file that is not a database: its path, DATABASE_URL and the reason", () => {
      const file = join(dir, "notes.txt");
      writeFileSync(file, "these are not the tables you are looking for\n".repeat(20));
      const message = `Could not open the database DATABASE_URL names (SQLite ${file}): file is not a database\n`;
      expect(runCli(file, ["outbox"])).toEqual({ code: 1, stdout: "", stderr: message });
      expect(runCli(file, CHECK)).toEqual({ code: 3, stdout: "", stderr: message });
      // `serve` names it the same way, before anything starts.
      expect(runCli(file, ["serve"], SERVE_ENV)).toEqual({ code: 1, stdout: "", stderr: message });
    });

    it("serve: a path whose folders cannot be made, or lie under a file, is named; never a hang", () => {
      // Under /proc, Node's recursive mkdir retried ENOENT for ever at full CPU, and serve hung silently.
      const proc = runCli("/proc/staffgate-nope/x.db", ["serve"], SERVE_ENV);
      expect([proc.code, proc.stdout]).toEqual([1, ""]);
      expect(proc.stderr).toBe(
        "Could not open the database DATABASE_URL names (SQLite /proc/staffgate-nope/x.db): ENOENT: no such file or directory, mkdir '/proc/staffgate-nope'\n",
      );
      const file = join(dir, "plain.txt");
      writeFileSync(file, "x");
      const under = runCli(join(file, "x.db"), ["serve"], SERVE_ENV);
      expect([under.code, under.stdout]).toEqual([1, ""]);
      expect(under.stderr).toMatch(
        /^Could not open the database DATABASE_URL names \(SQLite .*plain\.txt\/x\.db\): /,
      );
    });

    it("a directory: its path, DATABASE_URL and that it is a directory", () => {
      const folder = join(dir, "data");
      mkdirSync(folder);
      const message = `Could not open the database DATABASE_URL names (SQLite ${folder}): it is a directory; give the path of the database file in it\n`;
      expect(runCli(folder, ["audit", "verify", "--tenant", "north"])).toEqual({
        code: 3,
        stdout: "",
        stderr: message,
      });
      expect(runCli(folder, ["migrate"])).toEqual({ code: 1, stdout: "", stderr: message });
    });
  },
);

describe.skipIf(process.env.STAFFGATE_TEST_DB !== "postgres")(
  "a PostgreSQL DATABASE_URL that cannot be reached or opened",
  { timeout: 60_000 },
  () => {
    const admin = new URL(process.env.STAFFGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
    /** The test server's URL with some parts changed, always with a password that must never be printed. */
    const url = (change: { user?: string; port?: string; host?: string; database?: string }) => {
      const u = new URL(admin.href);
      u.password = PASSWORD;
      if (change.user) u.username = change.user;
      if (change.port) u.port = change.port;
      if (change.host) u.hostname = change.host;
      if (change.database) u.pathname = `/${change.database}`;
      return u.href;
    };
    const hostPort = `${admin.hostname}:${admin.port || "5432"}`;

    it.each([
      [
        "nothing listens on the port",
        url({ port: "1" }),
        `Could not reach the database DATABASE_URL names (PostgreSQL ${admin.hostname}:1/${admin.pathname.slice(1)}): `,
        /ECONNREFUSED/,
      ],
      [
        "the host does not resolve",
        url({ host: "no-such-host.invalid" }),
        `Could not reach the database DATABASE_URL names (PostgreSQL no-such-host.invalid:${admin.port || "5432"}/${admin.pathname.slice(1)}): `,
        /ENOTFOUND|EAI_AGAIN/,
      ],
      [
        "the database does not exist",
        url({ database: "no_such_db_7731" }),
        `Could not open the database DATABASE_URL names (PostgreSQL ${hostPort}/no_such_db_7731): `,
        /no_such_db_7731/,
      ],
      [
        "the role does not exist",
        url({ user: "no_such_role_7731" }),
        `Could not open the database DATABASE_URL names (PostgreSQL ${hostPort}/${admin.pathname.slice(1)}): `,
        /no_such_role_7731/,
      ],
    ])("%s: named, with the reason, never the password; check exits 3", (_, databaseUrl, prefix, reason) => {
      const migrate = runCli(databaseUrl, ["migrate"]);
      const check = runCli(databaseUrl, CHECK);
      const serve = runCli(databaseUrl, ["serve"], SERVE_ENV);
      for (const [r, code] of [
        [migrate, 1],
        [check, 3],
        [serve, 1],
      ] as const) {
        expect([r.code, r.stdout]).toEqual([code, ""]);
        expect(r.stderr.startsWith(prefix), r.stderr).toBe(true);
        expect(r.stderr).toMatch(reason);
        expect(r.stderr).not.toContain(PASSWORD);
        expect(r.stderr).not.toMatch(/migration unknown/);
        expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      }
    });

    it("a server that accepts the connection and never answers: refused after the 10 s connection timeout, not a hang", async () => {
      // The kernel completes the handshake from the listen backlog even while spawnSync blocks this
      // process, and nothing ever answers PostgreSQL's start-up message.
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      try {
        const port = String((silent.address() as AddressInfo).port);
        const started = Date.now();
        const r = runCli(url({ host: "127.0.0.1", port }), ["outbox"]);
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
          /^Could not reach the database DATABASE_URL names \(PostgreSQL 127\.0\.0\.1:\d+\//,
        );
        expect(r.stderr).toMatch(/timeout/i);
        expect(r.stderr).not.toContain(PASSWORD);
      } finally {
        silent.close();
      }
    });
  },
);
