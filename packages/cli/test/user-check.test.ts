import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateUserBody, CreateWorkspaceBody } from "@staffgate/contract";
import { type Caller, type Core, type Ctx, createCore, type Db, openDatabase } from "@staffgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tenantCreateArgs } from "./cli-helpers.ts";

const ADMIN_PASSWORD = "check-canary-Pa55word-plover-7720";
const BILLING_PASSWORD = "billing-desk-Pa55word-otter-8812";

// SQLite only, like cli.test.ts: arguments, output and exit codes; the decision itself is core's.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("staffgate check", { timeout: 60_000 }, () => {
  let dir: string;
  let dbFile: string;
  let billingId: string;
  let wardId: string;

  const cli = (args: readonly string[]) => runCli(dbFile, args);
  const check = (...args: string[]) => cli(["check", "--tenant", "east", ...args]);

  /** Core in-process on the CLI's file, acting as the tenant's administrator (a real session). */
  async function asAdmin<T>(work: (core: Core, caller: Caller, ctx: Ctx) => Promise<T>): Promise<T> {
    const db: Db = openDatabase(dbFile);
    const core = createCore({ db, hasher: { memoryCost: 1024, timeCost: 1 } });
    try {
      const meta = { ip: null, userAgent: null, requestId: null };
      const { token } = await core.auth.login(meta, {
        tenant: "east",
        login: "root",
        password: ADMIN_PASSWORD,
      });
      const caller = (await core.auth.authenticate(token))!;
      return await work(core, caller, { ...meta, tenantId: caller.tenantId, actor: caller.actor });
    } finally {
      await core.close();
      await db.destroy();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "staffgate-check-"));
    dbFile = join(dir, "staffgate.db");
    expect(cli(["migrate"]).code).toBe(0);
    const made = runCli(dbFile, [...tenantCreateArgs("east"), "--preset", "care-management"], {
      STAFFGATE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    // A Billing clerk (patients.read, billing.write, reports.read) in every workspace, and a workspace.
    await asAdmin(async (core, caller, ctx) => {
      const roles = await core.roles.listRoles(ctx, { limit: 50 });
      const billing = roles.items.find((r) => r.name === "Billing")!;
      wardId = (
        await core.workspaces.createWorkspace(
          ctx,
          CreateWorkspaceBody.parse({ slug: "ward-a", name: "Ward A" }),
        )
      ).id;
      const user = await core.users.createUser(
        ctx,
        caller,
        CreateUserBody.parse({
          username: "bea",
          email: "bea@east.example",
          firstName: "Bea",
          lastName: "Biller",
          roleId: billing.id,
          password: BILLING_PASSWORD,
          mustChangePassword: false,
        }),
      );
      billingId = user.id;
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("allowed for a permission the role holds (exit 0), by username or id", () => {
    const r = check("--user", "bea", "--permission", "reports.read");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^allowed GRANTED_TENANT: .+\n$/);
    const byId = check("--user", billingId, "--permission", "reports.read");
    expect(byId.stdout).toBe(r.stdout);
    expect(byId.code).toBe(0);
  });

  it("denied for one it lacks (exit 1), with the reason the API gives", async () => {
    const r = check("--user", "bea", "--permission", "care_plans.write");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^denied NOT_GRANTED: .+\n$/);
    const api = await asAdmin(async (core, caller, ctx) =>
      core.access.check(ctx, caller, { userId: billingId, permission: "care_plans.write" }),
    );
    expect(r.stdout).toBe(`denied ${api.reason.code}: ${api.reason.message}\n`);
  });

  it("--explain prints every step, one per line; a workspace is named by slug", () => {
    const r = check("--user", "bea", "--permission", "billing.write", "--workspace", "ward-a", "--explain");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [decision, ...steps] = r.stdout.trimEnd().split("\n");
    expect(decision).toMatch(/^allowed GRANTED_\w+: /);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(steps).toEqual(steps.map((_, i) => expect.stringMatching(new RegExp(`^  ${i + 1}\\. \\S`))));
    expect(r.stdout).toContain(wardId);
    expect(steps.at(-1)).toMatch(/allowed: /);
  });

  it("an unknown user or workspace is the decision's denial (exit 1), as on the API", () => {
    const user = check("--user", "nobody", "--permission", "reports.read");
    expect(user.code).toBe(1);
    expect(user.stdout).toMatch(/^denied USER_NOT_FOUND: /);
    const ws = check("--user", "bea", "--permission", "billing.write", "--workspace", "nowhere");
    expect(ws.code).toBe(1);
    expect(ws.stdout).toMatch(/^denied WORKSPACE_NOT_FOUND: /);
  });

  it("usage errors exit 2; a question it cannot answer (unknown tenant) exits 3, not 1 (denied)", () => {
    const missing = check("--user", "bea");
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/^staffgate check: --permission is required\nUsage: staffgate check /);
    const tenant = cli(["check", "--tenant", "nowhere", "--user", "bea", "--permission", "reports.read"]);
    expect([tenant.code, tenant.stdout]).toEqual([3, ""]);
    expect(tenant.stderr).toBe('No tenant with slug "nowhere"\n');
  });

  it("a --workspace or --patient without a value is refused, never answered tenant-wide", () => {
    // Tenant-wide, Bea may write billing; the question was about a workspace that is not named.
    expect(check("--user", "bea", "--permission", "billing.write").code).toBe(0);
    for (const flags of [["--workspace"], ["--patient", ""]]) {
      const r = check("--user", "bea", "--permission", "billing.write", ...flags);
      expect([r.code, r.stdout], flags.join(" ")).toEqual([2, ""]);
      expect(r.stderr).toMatch(/^staffgate check: --(workspace|patient) needs a value\n/);
    }
  });
});
