import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.ts";
import { activeAdministrators, createUser, roleIdByName } from "./lifecycle-fixtures.ts";

// Issue 3: "two administrators demoting each other at once leave one administrator", by role change.
describe(`two administrators demote each other at once (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("leaves exactly one administrator, every time", async () => {
    for (let round = 0; round < 5; round++) {
      const c = await t.createTenant();
      const viewer = await roleIdByName(t, c, "Viewer");
      const other = await createUser(t, c);
      expect(await activeAdministrators(t, c)).toBe(2);
      const results = await Promise.allSettled([
        c.admin.users.update(other.user.id, { roleId: viewer }),
        other.client.users.update(c.adminUserId, { roleId: viewer }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      // The loser was demoted first: its own grants, re-read under the tenant lock, no longer cover
      // the winner (403), or its request arrived after its role changed (still 403), or the guard.
      expect([403, 422]).toContain((failure.reason as { status: number }).status);
      expect(await activeAdministrators(t, c)).toBe(1);
    }
  });
});
