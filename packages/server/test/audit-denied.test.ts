/**
 * SECURITY.md I-63 (ASVS 16.3.2, 16.3.3): a refused request of a signed-in caller is recorded,
 * `authz.failed` with outcome `denied`, the route and the refusal's code, in its own transaction
 * (the request's own change was rolled back); the answer is the same 403.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, roleIdByName } from "./lifecycle-fixtures.ts";

describe(`refusals are audited (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t?.close());

  const denied = async () => (await a.admin.audit.list({ action: "authz.failed", limit: 200 })).items;

  it("records a missing permission and an escalation, naming the caller, the route and the code", async () => {
    const clerk = await createUser(t, a, { roleId: await createRole(a, ["users.view", "users.manage"]) });
    const before = (await denied()).length;
    const forbidden = await problemOf(() => clerk.client.settings.update({ rememberDeviceDays: 10 }));
    expect([forbidden.status, forbidden.code]).toEqual([403, "FORBIDDEN"]);
    const admin = await roleIdByName(t, a, "Administrator");
    const escalation = await problemOf(() =>
      clerk.client.users.create({
        username: "escalated",
        email: "escalated@example.org",
        firstName: "Es",
        lastName: "Calated",
        roleId: admin,
      }),
    );
    expect(escalation.code).toBe("PRIVILEGE_ESCALATION");
    const events = (await denied()).slice(0, (await denied()).length - before);
    expect(events.map((e) => [e.actor.username, e.target?.label, e.changes, e.outcome])).toEqual(
      expect.arrayContaining([
        [clerk.user.username, "PATCH /api/v1/settings", { code: { after: "FORBIDDEN" } }, "denied"],
        [clerk.user.username, "POST /api/v1/users", { code: { after: "PRIVILEGE_ESCALATION" } }, "denied"],
      ]),
    );
    // The refused create wrote nothing else.
    expect((await a.admin.users.list({ q: "escalated", status: "all" })).items).toEqual([]);
    expect((await a.admin.audit.verify()).ok).toBe(true);
  });

  it("names the target id when the route has one, and records nothing for a caller who is not signed in", async () => {
    const clerk = await createUser(t, a, { roleId: await createRole(a, ["users.view"]) });
    const target = (await createUser(t, a)).user;
    await problemOf(() => clerk.client.userActions.deactivate(target.id));
    const [last] = await denied();
    expect(last).toMatchObject({ target: { id: target.id, label: "POST /api/v1/users/:id/deactivate" } });
    const count = (await denied()).length;
    await problemOf(() => t.anonymous.settings.get());
    expect((await denied()).length).toBe(count);
  });

  it("records a refusal whose path id is no id (a NUL, too long) without it, on both databases", async () => {
    const clerk = await createUser(t, a, { roleId: await createRole(a, ["users.view"]) });
    const login = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { tenant: a.slug, login: clerk.user.username, password: CANARY_PASSWORD },
    });
    const authorization = `Bearer ${login.json().token}`;
    const before = (await denied()).length;
    // The caller is refused before the path is read (route.ts): the refusal is still recorded.
    for (const id of ["ab%00cd", "x".repeat(65)]) {
      const res = await t.app.inject({
        method: "POST",
        url: `/api/v1/users/${id}/deactivate`,
        headers: { authorization },
      });
      expect([res.statusCode, res.json().code]).toEqual([403, "FORBIDDEN"]);
    }
    const events = (await denied()).slice(0, (await denied()).length - before);
    expect(events.map((e) => [e.target?.id ?? null, e.target?.label])).toEqual([
      [null, "POST /api/v1/users/:id/deactivate"],
      [null, "POST /api/v1/users/:id/deactivate"],
    ]);
    expect((await a.admin.audit.verify()).ok).toBe(true);
  });
});
