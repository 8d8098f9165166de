/**
 * Decisions are never stale: a change is seen by the very next check, on the instance that made it
 * and on another instance serving the same database (SQLite file or PostgreSQL database).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Staffgate } from "@staffgate/sdk";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  PG_ADMIN_URL,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createUser } from "./lifecycle-fixtures.ts";

describe(`decision freshness (${TEST_DB})`, () => {
  describe("one instance", () => {
    let t: TestApp;
    let a: TestTenant;
    beforeAll(async () => {
      t = await startTestApp();
      a = await t.createTenant();
    });
    afterAll(() => t.close());

    it("sees a change made through the API on the very next check, mostly without a full reload", async () => {
      const ws = (await a.admin.workspaces.create({ slug: "fresh-ws", name: "Fresh", protected: false })).id;
      const role = await a.admin.roles.create({ name: "Fresh role", permissions: ["patients.read"] });
      const { user } = await createUser(t, a, { roleId: role.id });
      const ask = (permission = "patients.read", workspaceId?: string) =>
        a.admin.access.check({ userId: user.id, permission, ...(workspaceId ? { workspaceId } : {}) });
      expect((await ask()).allowed).toBe(true);
      const before = t.app.core.access.cacheStats();
      await a.admin.roles.update(role.id, { permissions: ["users.view"] });
      expect((await ask()).allowed).toBe(false);
      await a.admin.roles.update(role.id, { permissions: ["patients.read"] });
      expect((await ask()).allowed).toBe(true);
      await a.admin.users.update(user.id, { workspaceAccess: [] });
      expect((await ask("patients.read", ws)).reason.code).toBe("WORKSPACE_INACTIVE");
      await a.admin.userActions.deactivate(user.id);
      expect((await ask()).reason.code).toBe("USER_NOT_ACTIVE");
      await a.admin.userActions.reactivate(user.id);
      expect((await ask()).allowed).toBe(true);
      const after = t.app.core.access.cacheStats();
      // Role and user changes are replayed from the audit, not reloaded in full.
      expect(after.fullLoads).toBe(before.fullLoads);
      expect(after.incremental).toBeGreaterThanOrEqual(before.incremental + 5);
      // A workspace change reloads in full, and is seen as well.
      await a.admin.workspaces.delete(ws);
      expect((await ask("patients.read", ws)).reason.code).toBe("WORKSPACE_NOT_FOUND");
      expect(t.app.core.access.cacheStats().fullLoads).toBe(before.fullLoads + 1);
    });
  });

  describe("two instances on one database", () => {
    let dir: string | undefined;
    let dropDb: (() => Promise<void>) | undefined;
    let one: TestApp;
    let two: TestApp;
    let a: TestTenant;
    let adminOnTwo: Staffgate;

    beforeAll(async () => {
      let url: string;
      if (TEST_DB === "postgres") {
        const name = `sg_test_${randomBytes(6).toString("hex")}`;
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
        dropDb = async () => {
          const c = new pg.Client({ connectionString: PG_ADMIN_URL });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        };
      } else {
        dir = mkdtempSync(path.join(tmpdir(), "staffgate-fresh-"));
        url = path.join(dir, "shared.db");
      }
      one = await startTestApp({ databaseUrl: url });
      two = await startTestApp({ databaseUrl: url });
      a = await one.createTenant();
      adminOnTwo = await two.signIn(a.slug, "admin");
    });
    afterAll(async () => {
      await two?.close();
      await one?.close();
      await dropDb?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("listens for changes on PostgreSQL (an accelerator only)", async () => {
      expect(await two.app.core.access.listening()).toBe(TEST_DB === "postgres");
    });

    it("refuses on instance B, every time, what instance A has just revoked", async () => {
      const ws = (await a.admin.workspaces.create({ slug: "two-ws", name: "Two" })).id;
      const full = await a.admin.roles.create({
        name: "Full",
        permissions: ["patients.read", "patients.write"],
      });
      const bare = await a.admin.roles.create({ name: "Bare", permissions: ["users.view"] });
      const { user } = await createUser(one, a, { roleId: full.id });
      const onB = (permission: string, workspaceId?: string) =>
        adminOnTwo.access.check({ userId: user.id, permission, ...(workspaceId ? { workspaceId } : {}) });
      expect((await onB("patients.write")).allowed).toBe(true); // B has it cached from here on
      for (let i = 0; i < 20; i++) {
        // A role PATCH removing a permission.
        await a.admin.roles.update(full.id, { permissions: ["patients.read"] });
        expect((await onB("patients.write")).allowed, `role revocation, round ${i}`).toBe(false);
        await a.admin.roles.update(full.id, { permissions: ["patients.read", "patients.write"] });
        expect((await onB("patients.write")).allowed, `role grant, round ${i}`).toBe(true);
        // A per-workspace role that grants less.
        await a.admin.users.update(user.id, { workspaceRoles: [{ workspaceId: ws, roleId: bare.id }] });
        expect((await onB("patients.read", ws)).allowed, `workspace role, round ${i}`).toBe(false);
        expect((await onB("patients.read")).allowed).toBe(true);
        await a.admin.users.update(user.id, { workspaceRoles: [] });
        expect((await onB("patients.read", ws)).allowed).toBe(true);
        // Deactivation.
        await a.admin.userActions.deactivate(user.id);
        const refused = await adminOnTwo.access.checkBatch([
          { userId: user.id, permission: "patients.read" },
          { userId: user.id, permission: "patients.read", workspaceId: ws },
        ]);
        expect(
          refused.results.map((r) => r.reason.code),
          `deactivation, round ${i}`,
        ).toEqual(["USER_NOT_ACTIVE", "USER_NOT_ACTIVE"]);
        await a.admin.userActions.reactivate(user.id);
        expect((await onB("patients.read")).allowed).toBe(true);
      }
    });

    // Instance B keeps a token's row while nothing is committed (auth/caller-cache.ts): a commit
    // made by A, another process's connection on SQLite, must end that at once.
    it("refuses on instance B the very next request of a token or session that A has just ended", async () => {
      const role = await a.admin.roles.create({ name: "Integration", permissions: ["users.view"] });
      for (let i = 0; i < 10; i++) {
        const created = await a.admin.apiTokens.create({ name: `app-${i}`, roleId: role.id });
        const appOnB = two.anonymous.withToken(created.token);
        for (let k = 0; k < 3; k++)
          await appOnB.access.check({ userId: created.userId, permission: "users.view" });
        await a.admin.apiTokens.revoke(created.id);
        const refused = await problemOf(() =>
          appOnB.access.check({ userId: created.userId, permission: "users.view" }),
        );
        expect(refused.status, `API token, round ${i}`).toBe(401);

        const { token } = await one.anonymous.auth.login({
          tenant: a.slug,
          login: "admin",
          password: CANARY_PASSWORD,
        });
        const staffOnB = two.anonymous.withToken(token);
        for (let k = 0; k < 3; k++) await staffOnB.auth.me();
        await one.anonymous.withToken(token).auth.logout();
        expect((await problemOf(() => staffOnB.auth.me())).status, `session, round ${i}`).toBe(401);
      }
    });
  });
});
