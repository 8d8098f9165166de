/** A changed email address: old links void, an open invitation follows the new address, both addresses told. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createUser, inviteUser } from "./lifecycle-fixtures.ts";

const NEW_PASSWORD = "violet-harbour-lantern-0420";

describe(`changing a user's email address (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t.close());

  const mails = (to: string, kind?: string) => {
    let q = t.db.kysely
      .selectFrom("outbox")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", to)
      .orderBy("created_at");
    if (kind) q = q.where("kind", "=", kind);
    return q.execute();
  };
  const tokenOf = (body: string) => /#token=([A-Za-z0-9_-]+)/.exec(body)?.[1] ?? "";

  it("voids the reset links sent to the old address and tells both addresses, with no secret", async () => {
    const { user } = await createUser(t, a);
    const old = user.email;
    await a.admin.credentials.setUserPassword(user.id, { sendResetLink: true });
    const [link] = await mails(old, "auth.password.reset_link");
    const token = tokenOf(link!.body);
    expect(token).not.toBe("");

    const moved = `moved-${user.username}@elsewhere.example`;
    await a.admin.users.update(user.id, { email: moved });

    const refused = await problemOf(() =>
      t.anonymous.credentials.resetPassword({ token, newPassword: NEW_PASSWORD }),
    );
    expect(refused.code).toBe("INVALID_TOKEN");
    for (const to of [old, moved]) {
      const [notice] = await mails(to, "user.email_changed");
      expect(notice, to).toBeDefined();
      expect(notice!.body).toContain(`from ${old} to ${moved}`);
      expect(notice!.body).not.toContain(CANARY_PASSWORD);
      expect(notice!.body).not.toMatch(/token=/);
    }
    // The account itself is unchanged: the password still signs in.
    await t.signIn(a.slug, user.username, CANARY_PASSWORD);
  });

  it("sends nothing when only the letter case changes", async () => {
    const { user } = await createUser(t, a);
    await a.admin.users.update(user.id, { email: user.email.toUpperCase() });
    expect(await mails(user.email.toUpperCase(), "user.email_changed")).toEqual([]);
    expect(await mails(user.email, "user.email_changed")).toEqual([]);
  });

  it("re-sends an open invitation to the new address; the one sent to the old address no longer works", async () => {
    const invited = await inviteUser(t, a);
    const [first] = await mails(invited.email, "user.invitation");
    const oldToken = tokenOf(first!.body);
    const corrected = `corrected-${invited.username}@example.org`;
    await a.admin.users.update(invited.id, { email: corrected });

    const refused = await problemOf(() =>
      t.anonymous.credentials.acceptInvitation({ token: oldToken, password: NEW_PASSWORD }),
    );
    expect(refused.code).toBe("INVALID_TOKEN");
    expect(await mails(invited.email, "user.email_changed")).toEqual([]);
    const [second] = await mails(corrected, "user.invitation");
    await t.anonymous.credentials.acceptInvitation({ token: tokenOf(second!.body), password: NEW_PASSWORD });
    expect((await a.admin.users.get(invited.id)).status).toBe("active");
  });

  it("sends nothing for a refused change (the address is taken)", async () => {
    const { user } = await createUser(t, a);
    const { user: other } = await createUser(t, a);
    const taken = await problemOf(() => a.admin.users.update(user.id, { email: other.email }));
    expect(taken.code).toBe("USER_EMAIL_TAKEN");
    expect(await mails(user.email, "user.email_changed")).toEqual([]);
    expect(await mails(other.email, "user.email_changed")).toEqual([]);
  });

  it("changing one's own address needs the password again (ASVS 7.5.1); another administrator's change does not", async () => {
    const { user, client } = await createUser(t, a);
    const version = (await client.users.get(user.id)).version;
    const missing = await problemOf(() =>
      client.users.update(user.id, { email: `moved-${user.username}@example.org` }, { ifMatch: version }),
    );
    expect([missing.status, missing.code, missing.errors[0]?.path]).toEqual([
      401,
      "REAUTHENTICATION_REQUIRED",
      "currentPassword",
    ]);
    // SECURITY.md 40: a 401 with a step-up challenge (RFC 9470), which a client tells from an
    // ended session: the session goes on.
    const raw = await client.transport.raw("PATCH", `/api/v1/users/${user.id}`, {
      body: { email: `moved-${user.username}@example.org` },
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get("www-authenticate")).toMatch(
      /^Bearer realm="staffgate", error="insufficient_user_authentication"/,
    );
    await expect(client.auth.me()).resolves.toMatchObject({ user: { id: user.id } });
    const wrong = await problemOf(() =>
      client.users.update(
        user.id,
        { email: `moved-${user.username}@example.org`, currentPassword: `${CANARY_PASSWORD}-no` },
        { ifMatch: version },
      ),
    );
    expect([wrong.status, wrong.code, wrong.errors[0]?.path]).toEqual([
      403,
      "REAUTHENTICATION_FAILED",
      "currentPassword",
    ]);
    expect((await client.users.get(user.id)).email).toBe(user.email);
    // Other own fields need nothing; the right password moves the address.
    await client.users.update(user.id, { title: "Dr" }, { ifMatch: version });
    const moved = await client.users.update(
      user.id,
      { email: `moved-${user.username}@example.org`, currentPassword: CANARY_PASSWORD },
      { ifMatch: version + 1 },
    );
    expect(moved.email).toBe(`moved-${user.username}@example.org`);
    // An administrator changing someone else's address is not asked.
    const other = await createUser(t, a);
    const changed = await a.admin.users.update(other.user.id, {
      email: `new-${other.user.username}@example.org`,
    });
    expect(changed.email).toBe(`new-${other.user.username}@example.org`);
    const rows = await t.db.kysely
      .selectFrom("audit_events")
      .select("changes")
      .where("tenant_id", "=", a.id)
      .execute();
    expect(JSON.stringify(rows)).not.toContain(CANARY_PASSWORD);
  });
});
