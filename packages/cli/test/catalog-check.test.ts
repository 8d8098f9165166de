/**
 * Every CLI command on the database checks, as `serve` does, that each tenant's catalogue is
 * loaded: a tenant created with STAFFGATE_CATALOG=/path/custom.json is refused without it, with a
 * message naming the tenant, the catalogue and the variable.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tenantCreateArgs } from "./cli-helpers.ts";

const PRESET = join(import.meta.dirname, "../../core/src/catalog/presets/care-management.json");

// SQLite only, like cli.test.ts: the check reads tenants through core, which the server's start-up
// test runs on PostgreSQL.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")(
  "staffgate commands on a tenant whose catalogue is not loaded",
  { timeout: 60_000 },
  () => {
    let dir: string;
    let dbFile: string;
    let custom: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "staffgate-catalog-"));
      dbFile = join(dir, "staffgate.db");
      custom = join(dir, "custom.json");
      writeFileSync(
        custom,
        JSON.stringify({ ...JSON.parse(readFileSync(PRESET, "utf8")), name: "home-care" }),
      );
      expect(runCli(dbFile, ["migrate"]).code).toBe(0);
      const made = runCli(dbFile, tenantCreateArgs("harbour"), {
        STAFFGATE_CATALOG: custom,
        STAFFGATE_ADMIN_PASSWORD: "catalog-canary-Pa55word-tern-3310",
      });
      expect([made.code, made.stderr]).toEqual([0, ""]);
      expect(made.stdout).toContain("catalogue home-care");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("refuses, naming the tenant, the catalogue and STAFFGATE_CATALOG; with it, works", () => {
      const refused = runCli(dbFile, ["audit", "verify", "--tenant", "harbour"], { STAFFGATE_CATALOG: "" });
      expect(refused.code).toBe(3);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toContain('catalogue "home-care": tenant harbour');
      expect(refused.stderr).toContain('Set STAFFGATE_CATALOG (now "radiotherapy")');
      const done = runCli(dbFile, ["audit", "verify", "--tenant", "harbour"], { STAFFGATE_CATALOG: custom });
      expect([done.code, done.stderr]).toEqual([0, ""]);
    });
  },
);
