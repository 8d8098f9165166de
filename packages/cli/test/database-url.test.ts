/**
 * DATABASE_URL as the CLI (and the server, which opens it the same way) reads it: a SQLite file
 * path, `:memory:` or a postgres:// URL. Another URL is refused rather than taken as a path, and a
 * file's missing directory is created.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-helpers.ts";

// SQLite only: no PostgreSQL is involved. Each run is a process in an empty working directory, so
// that anything created by mistake is seen (and never lands in the repository).
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("DATABASE_URL", { timeout: 60_000 }, () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "staffgate-dburl-"));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("refuses a URL of another scheme, naming DATABASE_URL and what it takes, creating nothing", () => {
    for (const url of [
      "mysql://x:s3cret@y/z",
      "file:staffgate.db",
      "sqlite:///tmp/x.db",
      "https://db.example/x",
    ]) {
      const r = runCli(url, ["migrate"], {}, { cwd });
      expect(r.code, url).toBe(1);
      expect(r.stderr, url).toMatch(
        /^DATABASE_URL: ".+:" is not supported; give a SQLite file path .*:memory:.*postgres:\/\//,
      );
      // The scheme is named, never the rest (it may hold a password).
      expect(r.stderr).not.toContain("s3cret");
      expect(readdirSync(cwd), url).toEqual([]);
    }
  });

  it("names --database-url, typed as a flag, and refuses a URL of another scheme as a usage error (exit 2)", () => {
    const r = runCli("", ["serve", "--database-url", "mysql://bob:s3cret@h/db"], {}, { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^staffgate serve: --database-url: "mysql:" is not supported; .*\nUsage: staffgate serve /,
    );
    expect(r.stderr).not.toContain("s3cret");
    expect(readdirSync(cwd)).toEqual([]);
    // A path that cannot be opened is not a usage error: exit 1, still naming the flag.
    const dir = runCli("", ["serve", "--database-url", cwd], {}, { cwd });
    expect(dir.code).toBe(1);
    expect(dir.stderr).toMatch(/^Could not open the database --database-url names .*it is a directory/);
  });

  it("creates a SQLite file's missing directory", () => {
    const r = runCli(join(cwd, "new-dir", "staffgate.db"), ["migrate"], {}, { cwd });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(existsSync(join(cwd, "new-dir", "staffgate.db"))).toBe(true);
    rmSync(join(cwd, "new-dir"), { recursive: true });
  });

  it("creates the default ./data/staffgate.db, directory included, when DATABASE_URL is unset or empty", () => {
    const r = runCli("", ["migrate"], {}, { cwd });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/^Applied: /);
    expect(existsSync(join(cwd, "data", "staffgate.db"))).toBe(true);
  });
});
