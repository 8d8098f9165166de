/** `staffgate audit export --actor-id`: the API's actorId filter, recorded in the export's own event. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tenantCreateArgs } from "./cli-helpers.ts";

const ADMIN_PASSWORD = "audit-cli-Pa55word-plover-6620";

interface Line {
  readonly seq: number;
  readonly action: string;
  readonly actor: { readonly id: string | null };
  readonly target: { readonly id: string | null } | null;
  readonly changes: Record<string, { readonly after?: unknown }> | null;
}

// SQLite only, like cli.test.ts: the flag and what it is recorded as; the SQL is core's, which the
// server suites run on PostgreSQL too (audit-filters.test.ts).
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")(
  "staffgate audit export --actor-id",
  { timeout: 60_000 },
  () => {
    let dir: string;
    let dbFile: string;
    const cli = (args: readonly string[]) => runCli(dbFile, args);
    const exported = (...flags: string[]): Line[] => {
      const r = cli(["audit", "export", "--tenant", "east", ...flags]);
      expect([r.code, r.stderr], flags.join(" ")).toEqual([0, ""]);
      return r.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line);
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "staffgate-audit-cli-"));
      dbFile = join(dir, "staffgate.db");
      expect(cli(["migrate"]).code).toBe(0);
      expect(
        runCli(dbFile, tenantCreateArgs("east"), { STAFFGATE_ADMIN_PASSWORD: ADMIN_PASSWORD }).code,
      ).toBe(0);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("exports the events of one actor id, exactly, and records the filter", () => {
      const all = exported();
      const rootId = all.find((e) => e.action === "user.created")!.target!.id!;
      // The operator created the tenant and its administrator; the administrator has not acted yet.
      const byOperator = exported("--actor-id", "operator");
      // The export's own event is the operator's too, and its last line.
      expect(byOperator.slice(0, -1).map((e) => e.seq)).toEqual(
        all.filter((e) => e.actor.id === "operator").map((e) => e.seq),
      );
      expect(byOperator.map((e) => e.action)).toContain("user.created");
      expect(byOperator.at(-1)).toMatchObject({
        action: "audit.exported",
        changes: { actorId: { after: "operator" } },
      });
      expect(exported("--actor-id", rootId)).toEqual([]);
      expect(exported("--actor-id", "OPERATOR")).toEqual([]);
      const recorded = exported("--action", "audit.exported").map((e) => e.changes?.actorId?.after);
      expect(recorded).toEqual(expect.arrayContaining(["operator", rootId, "OPERATOR"]));
    });

    it("names --actor-id when its value is refused (exit 2), and lists it in --help", () => {
      const r = cli(["audit", "export", "--tenant", "east", "--actor-id", "x".repeat(121)]);
      expect([r.code, r.stdout]).toEqual([2, ""]);
      expect(r.stderr).toMatch(/^staffgate audit export: --actor-id: /);
      const help = cli(["audit", "export", "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("[--actor-id <id>]");
      expect(help.stdout).toMatch(/--actor-id +the acting user's id/);
    });
  },
);
