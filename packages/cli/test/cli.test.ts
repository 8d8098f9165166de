import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCore, type Db, openDatabase } from "@staffgate/core";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runCliIntoClosedPipe, tenantCreateArgs } from "./cli-helpers.ts";

const ADMIN_PASSWORD = "cli-canary-Pa55word-heron-4412";

// SQLite only: these tests check the CLI's arguments, output and exit codes, which do not depend on
// the database; the SQL underneath is core's, which the server suites already run on PostgreSQL.
// Each command is a fresh Node process (under a second, more on a loaded machine), hence the long timeout.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")(
  "staffgate CLI (sqlite file)",
  { timeout: 60_000 },
  () => {
    let dir: string;
    let dbFile: string;

    const cli = (args: readonly string[], env: Record<string, string> = {}, file = dbFile) =>
      runCli(file, args, env);

    const tenantArgs = tenantCreateArgs;

    /** Works on the same file as the CLI, in-process (WAL lets both open it). */
    async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
      const db = openDatabase(dbFile);
      try {
        return await work(db);
      } finally {
        await db.destroy();
      }
    }

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "staffgate-cli-"));
      dbFile = join(dir, "staffgate.db");
      const migrated = cli(["migrate"]);
      expect(migrated.stderr).toBe("");
      expect(migrated.code).toBe(0);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("refuses to work on a database that is not migrated", () => {
      const empty = join(dir, "empty.db");
      writeFileSync(empty, "");
      const r = cli(["audit", "verify", "--tenant", "x"], {}, empty);
      // `audit verify` keeps 1 for "broken", as `check` keeps it for "denied": could not is 3.
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^The database is not migrated: run `staffgate migrate` first/);
    });

    it("says a SQLite database that does not exist does not, creating no file nor directory", () => {
      const missing = join(dir, "elsewhere", "typo.db");
      for (const [args, code] of [
        [["audit", "verify", "--tenant", "north"], 3],
        [["audit", "export", "--tenant", "north"], 1],
        [["outbox"], 1],
        // `check` exits 1 for "denied" and `audit verify` for "broken": a failure to answer is 3.
        [["check", "--tenant", "north", "--user", "root", "--permission", "users.view"], 3],
      ] as const) {
        const r = cli(args, {}, missing);
        expect(r.code, args.join(" ")).toBe(code);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(
          `The database ${missing} does not exist (DATABASE_URL): nothing was created. Start the server or run \`staffgate migrate\` to create it.\n`,
        );
        expect(existsSync(join(dir, "elsewhere")), args.join(" ")).toBe(false);
      }
    });

    it("creates a tenant with the administrator password from the environment, never printing it", () => {
      const r = cli(tenantArgs("north"), { STAFFGATE_ADMIN_PASSWORD: ADMIN_PASSWORD });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Created tenant north \(ten_[^)]+\), catalogue \S+\n$/);
      expect(r.stdout).not.toContain(ADMIN_PASSWORD);
    });

    it("generates and prints a password once when none is given; it signs in", async () => {
      const r = cli(tenantArgs("south"), { STAFFGATE_ADMIN_PASSWORD: "" });
      expect(r.code).toBe(0);
      const password = /password \(shown once\): (\S+)\n$/.exec(r.stdout)?.[1];
      expect(password?.length).toBeGreaterThanOrEqual(15);
      const login = await withDb((db) =>
        createCore({ db, hasher: { memoryCost: 1024, timeCost: 1 } }).auth.login(
          { ip: null, userAgent: null, requestId: null },
          { tenant: "south", login: "root", password: password! },
        ),
      );
      expect(login.user.username).toBe("root");
    });

    it("refuses a taken slug and incomplete arguments", () => {
      const dup = cli(tenantArgs("north"), { STAFFGATE_ADMIN_PASSWORD: ADMIN_PASSWORD });
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/--slug: is already used by another tenant/);
      const missing = cli(["tenant", "create", "--slug", "west"], {
        STAFFGATE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/Usage: staffgate tenant create/);
      expect(missing.stderr).toMatch(/--admin-username/);
      expect(missing.stderr).not.toMatch(/admin\.|firstName/);
    });

    it("names STAFFGATE_ADMIN_PASSWORD when the password it gives is refused, creating nothing", () => {
      const weak = cli(tenantArgs("weak"), { STAFFGATE_ADMIN_PASSWORD: "short" });
      expect([weak.code, weak.stdout]).toEqual([1, ""]);
      expect(weak.stderr).toBe("STAFFGATE_ADMIN_PASSWORD: must be at least 15 characters\n");
      const none = cli(["audit", "verify", "--tenant", "weak"]);
      expect([none.code, none.stderr]).toEqual([3, 'No tenant with slug "weak"\n']);
    });

    it("verifies a tenant's audit chain", async () => {
      const count = await withDb(async (db) => {
        const tenant = await createCore({ db }).tenants.findTenantBySlug("north");
        const rows = await db.kysely
          .selectFrom("audit_events")
          .select("seq")
          .where("tenant_id", "=", tenant!.id)
          .execute();
        return rows.length;
      });
      expect(count).toBeGreaterThanOrEqual(2);
      const r = cli(["audit", "verify", "--tenant", "north"]);
      expect(r.stdout).toBe(`ok: ${count} events checked\n`);
      expect(r.code).toBe(0);
      expect(cli(["audit", "verify", "--tenant", "nowhere"]).code).toBe(3);
      expect(cli(["audit", "verify"]).code).toBe(2);
    });

    it("backs up the database while it is open, to a new file that verifies; never over a file", async () => {
      const copy = join(dir, "backup-1.db");
      // A writer holds the file open meanwhile, as the running service does.
      const r = await withDb(async () => cli(["backup", "--to", copy]));
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`^Copied .+staffgate\\.db to ${copy.replaceAll(".", "\\.")} \\([\\d,]+ bytes\\)\\.\\n$`),
      );
      const original = cli(["audit", "verify", "--tenant", "north"]);
      const restored = cli(["audit", "verify", "--tenant", "north"], {}, copy);
      expect([restored.code, restored.stdout]).toEqual([0, original.stdout]);
      // Never over an existing file, and a usage error for a missing --to or directory.
      const again = cli(["backup", "--to", copy]);
      expect([again.code, again.stderr]).toEqual([
        2,
        expect.stringContaining("exists: a backup never overwrites a file"),
      ]);
      expect(cli(["backup"]).code).toBe(2);
      expect(cli(["backup", "--to", join(dir, "no-such-dir", "b.db")]).code).toBe(2);
      // A source that is not there is said, and not created.
      const none = cli(["backup", "--to", join(dir, "b.db")], {}, join(dir, "missing.db"));
      expect([none.code, none.stderr]).toEqual([1, expect.stringContaining("does not exist")]);
      expect(existsSync(join(dir, "missing.db"))).toBe(false);
      // PostgreSQL has its own tools: said, nothing done, nothing connected to.
      const pg = cli(["backup", "--to", join(dir, "pg.db")], {
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      });
      expect([pg.code, pg.stderr]).toEqual([2, expect.stringContaining("use pg_dump")]);
      expect(existsSync(join(dir, "pg.db"))).toBe(false);
    });

    it("exports the trail as JSON Lines and CSV, recording each export", () => {
      const jsonl = cli(["audit", "export", "--tenant", "north"]);
      expect(jsonl.code).toBe(0);
      const events = jsonl.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { seq: number; action: string; actor: { type: string } });
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[0]?.action).toBe("tenant.created");
      expect(events.at(-1)).toMatchObject({ action: "audit.exported", actor: { type: "operator" } });
      const csv = cli(["audit", "export", "--tenant", "north", "--format", "csv"]);
      expect(csv.code).toBe(0);
      const records = csv.stdout.split("\r\n").filter(Boolean);
      expect(records[0]).toMatch(/^seq,at,actorType,/);
      expect(records).toHaveLength(events.length + 2);
      expect(`${jsonl.stdout}${csv.stdout}`).not.toContain(ADMIN_PASSWORD);
      expect(cli(["audit", "export", "--tenant", "north", "--format", "xml"]).code).toBe(2);
    });

    it("exports with the API's filters, recording them in the audit.exported event", () => {
      const lines = (...flags: string[]) => {
        const r = cli(["audit", "export", "--tenant", "north", ...flags]);
        expect([r.code, r.stderr], flags.join(" ")).toEqual([0, ""]);
        return r.stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { action: string; target: { id: string | null } | null });
      };
      const created = lines("--action", "tenant.created");
      expect(created.map((e) => e.action)).toEqual(["tenant.created"]);
      const tenantId = created[0]!.target!.id!;
      expect(lines("--target-id", tenantId, "--from", "2000-01-01").map((e) => e.action)).toContain(
        "tenant.created",
      );
      expect(lines("--to", "2000-01-01")).toEqual([]);
      // The export's own event holds the text asked for, and is the only match.
      expect(lines("--q", "no-such-text-anywhere-7731").map((e) => e.action)).toEqual(["audit.exported"]);
      expect(lines("--actor", "nobody-at-all", "--ip", "192.0.2.1")).toEqual([]);
      // No event is about this patient but the export that asks for it.
      expect(lines("--patient-ref", "MRN-no-such-patient").map((e) => e.action)).toEqual(["audit.exported"]);
      // The export itself is recorded with the filters it was asked for.
      const exports = lines("--action", "audit.exported") as unknown as {
        changes: Record<string, { after: unknown }> | null;
      }[];
      expect(exports.some((e) => e.changes?.action?.after === "tenant.created")).toBe(true);
      expect(exports.some((e) => e.changes?.to?.after === "2000-01-01T23:59:59.999Z")).toBe(true);
      expect(exports.some((e) => e.changes?.patientRef?.after === "MRN-no-such-patient")).toBe(true);
    });

    it("exports a tenant's users as CSV, recorded as the operator's export", () => {
      const r = cli(["user", "export", "--tenant", "north"]);
      expect(r.code).toBe(0);
      const [header, ...rows] = r.stdout.trimEnd().split("\r\n");
      expect(header).toMatch(/^username,email,firstName,lastName,/);
      expect(rows).toEqual([expect.stringMatching(/^root,root@north\.example,Rita,/)]);
      expect(r.stdout).not.toContain(ADMIN_PASSWORD);
      expect(cli(["user", "export", "--tenant", "north", "--status", "gone"]).code).toBe(2);
    });

    it("ends quietly, exit 0, when the reader closes stdout (`staffgate audit export | head -1`)", async () => {
      const results = await Promise.all(
        [["audit", "export", "--tenant", "north"], ["user", "export", "--tenant", "north"], ["outbox"]].map(
          (args) => runCliIntoClosedPipe(dbFile, args),
        ),
      );
      expect(results.map((r) => [r.code, r.stderr])).toEqual([
        [0, ""],
        [0, ""],
        [0, ""],
      ]);
    });

    it("purges only past the retention horizon, recording the purge", () => {
      // Every event is minutes old: the horizon (six years back) passes none of them.
      const r = cli(["audit", "purge", "--tenant", "north"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^purged 0 events before (\S+) \(through seq 0\); retention horizon \1\n$/);
      // An earlier cut-off is the one said, beside the horizon it had to precede.
      const earlier = cli(["audit", "purge", "--tenant", "north", "--before", "2020-01-01"]);
      expect(earlier.stdout).toMatch(
        /^purged 0 events before 2020-01-01T00:00:00\.000Z \(through seq 0\); retention horizon \d{4}-/,
      );
      const inside = cli(["audit", "purge", "--tenant", "north", "--before", new Date().toISOString()]);
      expect(inside.code).toBe(1);
      expect(inside.stderr).toMatch(/only events before .* may be purged/);
      expect(cli(["audit", "purge", "--tenant", "north", "--before", "yesterday"]).code).toBe(2);
      // Not Date.parse's guess (2001-12-01): a date or a date-time with its offset, else usage.
      const guessed = cli(["audit", "purge", "--tenant", "north", "--before", "12"]);
      expect([guessed.code, guessed.stdout]).toEqual([2, ""]);
      expect(guessed.stderr).toMatch(/^staffgate audit purge: --before takes a date/);
      const dated = cli(["audit", "purge", "--tenant", "north", "--before", "2001-12-01"]);
      expect([dated.code, dated.stderr]).toEqual([0, ""]);
      expect(dated.stdout).toMatch(/^purged 0 events/);
      const events = cli(["audit", "export", "--tenant", "north"])
        .stdout.trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { action: string; actor: { type: string } });
      // One per purge that ran: the horizon's, 2020-01-01's and 2001-12-01's.
      expect(events.filter((e) => e.action === "audit.purged")).toEqual([
        expect.objectContaining({ actor: expect.objectContaining({ type: "operator" }) }),
        expect.objectContaining({ actor: expect.objectContaining({ type: "operator" }) }),
        expect.objectContaining({ actor: expect.objectContaining({ type: "operator" }) }),
      ]);
      expect(cli(["audit", "verify", "--tenant", "north"]).code).toBe(0);
    });

    it("reports a tampered event with exit code 1", async () => {
      await withDb(async (db) => {
        const tenant = await createCore({ db }).tenants.findTenantBySlug("north");
        await sql`DROP TRIGGER audit_events_no_update`.execute(db.kysely);
        await db.kysely
          .updateTable("audit_events")
          .set({ action: "tenant.renamed" })
          .where("tenant_id", "=", tenant!.id)
          .where("seq", "=", 2)
          .execute();
      });
      const r = cli(["audit", "verify", "--tenant", "north"]);
      expect(r.stdout).toBe("BROKEN at seq 2 (2 checked)\n");
      expect(r.code).toBe(1);
      expect(cli(["audit", "verify", "--tenant", "south"]).code).toBe(0);
    });
  },
);
