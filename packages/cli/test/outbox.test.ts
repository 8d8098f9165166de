/** `staffgate outbox`: the operator reads every email locally, newest first (issue 4 item 11). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "@staffgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tenantCreateArgs } from "./cli-helpers.ts";

// SQLite only, like cli.test.ts: this checks arguments and output; the SQL is core's.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("staffgate outbox", { timeout: 60_000 }, () => {
  let dir: string;
  let dbFile: string;
  const cli = (args: readonly string[]) =>
    runCli(dbFile, args, { STAFFGATE_ADMIN_PASSWORD: "outbox-test-pass-wren-5521" });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "staffgate-outbox-"));
    dbFile = join(dir, "staffgate.db");
    expect(cli(["migrate"]).code).toBe(0);
    for (const slug of ["east", "west"]) {
      const made = cli(tenantCreateArgs(slug));
      expect(made.stderr).toBe("");
    }
    const db = openDatabase(dbFile);
    try {
      const tenants = await db.kysely.selectFrom("tenants").select(["id", "slug"]).execute();
      const id = (slug: string) => tenants.find((t) => t.slug === slug)!.id;
      const row = (tenant: string, n: number, sent: boolean) => ({
        tenant_id: id(tenant),
        id: `msg_cli_${n}`,
        to_address: `person${n}@${tenant}.example`,
        subject: `Reset ${n}`,
        body: `Open https://staffgate.test/reset-password#token=link-${n}\n`,
        kind: "auth.password_reset",
        created_at: `2026-01-0${n}T09:00:00.000Z`,
        sent_at: sent ? `2026-01-0${n}T09:00:05.000Z` : null,
        // The third was given up: the mailer tries a message 8 times.
        attempts: sent ? 1 : n === 3 ? 8 : 2,
        last_error: sent ? null : "connect ECONNREFUSED",
        next_attempt_at: null,
        sent_via: sent ? "log" : null,
      });
      await db.kysely
        .insertInto("outbox")
        .values([row("east", 1, true), row("west", 2, false), row("east", 3, false)])
        .execute();
    } finally {
      await db.destroy();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints every message in full, newest first, with its state", () => {
    const r = cli(["outbox"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const order = ["msg_cli_3", "msg_cli_2", "msg_cli_1"].map((id) => r.stdout.indexOf(id));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(r.stdout).toContain("#token=link-1");
    expect(r.stdout).toContain(
      "tenant west · auth.password_reset · pending: 2 failed attempt(s), last error: connect ECONNREFUSED",
    );
    expect(r.stdout).toContain("sent 2026-01-01T09:00:05.000Z via log");
    expect(r.stdout).toContain(
      "tenant east · auth.password_reset · given up after 8 attempts, last error: connect ECONNREFUSED",
    );
  });

  it("filters by tenant and limits the count", () => {
    const r = cli(["outbox", "--tenant", "east", "--limit", "1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("msg_cli_3");
    expect(r.stdout).not.toContain("msg_cli_1");
    expect(r.stdout).not.toContain("msg_cli_2");
  });

  it("refuses a bad limit and an unknown tenant", () => {
    expect(cli(["outbox", "--limit", "0"]).code).toBe(2);
    const unknown = cli(["outbox", "--tenant", "nowhere"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No tenant/);
  });

  it("refuses an unknown option or a stray argument instead of ignoring it (exit 2, nothing printed)", () => {
    for (const args of [
      ["outbox", "--tennant", "east"],
      ["outbox", "east"],
      ["outbox", "--limit=1", "--all"],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(
        /^staffgate outbox: (unknown option --\w+ \(options: --tenant, --limit\)|unexpected argument "east")/,
      );
    }
  });
});
