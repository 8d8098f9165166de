/**
 * PATCH `virtual` (Provet's edit form carries the flag): a person made virtual loses every
 * credential at once; a virtual user made a person again is invited to choose a password.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCodeAt, totpStepAt } from "../../core/src/auth/mfa.rules.ts";
import {
  CANARY_PASSWORD,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createRole, linkToken, mailBodies } from "./lifecycle-fixtures.ts";
import { newUser, roleIdByName } from "./users-fixtures.ts";

const NEW_PASSWORD = "copper-meadow-lantern-5127";

describe(`turning a user virtual and back (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    viewer = await roleIdByName(t, a.id, "Viewer");
  });
  afterAll(() => t.close());

  const mails = (to: string, kind: string) => mailBodies(t, a.id, to, kind);
  const check = (userId: string) => a.admin.access.check({ userId, permission: "users.view" });

  it("ends a person's credentials at once when made virtual, and invites them when made a person again", async () => {
    const person = await a.admin.users.create(newUser(viewer, { password: CANARY_PASSWORD }));
    const session = await t.signIn(a.slug, person.username);
    expect((await check(person.id)).reason.code).not.toBe("VIRTUAL_USER");

    const virtual = await a.admin.users.update(person.id, { virtual: true });
    expect(virtual).toMatchObject({ virtual: true, status: "active", mustChangePassword: false });
    await expect(session.auth.me()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(t.signIn(a.slug, person.username)).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect((await check(person.id)).reason.code).toBe("VIRTUAL_USER");
    const [event] = (await a.admin.audit.list({ targetId: person.id, action: "user.updated" })).items;
    expect(event?.changes).toMatchObject({
      virtual: { before: false, after: true },
      sessionsEnded: { after: 1 },
    });

    const again = await a.admin.users.update(person.id, { virtual: false });
    expect(again).toMatchObject({ virtual: false, status: "invited" });
    const [invitation] = await mails(person.email, "user.invitation");
    await t.anonymous.credentials.acceptInvitation({
      token: linkToken(invitation!),
      password: NEW_PASSWORD,
    });
    expect((await a.admin.users.get(person.id)).status).toBe("active");
    await t.signIn(a.slug, person.username, NEW_PASSWORD);
    expect((await check(person.id)).reason.code).not.toBe("VIRTUAL_USER");
  });

  it("makes an invited person active when made virtual, and its invitation stops working", async () => {
    const invited = await a.admin.users.create(newUser(viewer));
    const [invitation] = await mails(invited.email, "user.invitation");
    expect(await a.admin.users.update(invited.id, { virtual: true })).toMatchObject({
      virtual: true,
      status: "active",
    });
    const refused = await problemOf(() =>
      t.anonymous.credentials.acceptInvitation({ token: linkToken(invitation!), password: NEW_PASSWORD }),
    );
    expect(refused.code).toBe("INVALID_TOKEN");
  });

  it("refuses oneself, an API token's integration user and a virtual user not active, changing nothing", async () => {
    const me = (await a.admin.auth.me()).user;
    const own = await problemOf(() => a.admin.users.update(me.id, { virtual: true }));
    expect([own.status, own.code, own.errors[0]?.path]).toEqual([403, "SELF_ACTION_FORBIDDEN", "virtual"]);

    const token = await a.admin.apiTokens.create({ name: "Lab feed", roleId: viewer });
    const integration = await problemOf(() => a.admin.users.update(token.userId, { virtual: false }));
    expect([integration.status, integration.code]).toEqual([409, "USER_STATE_INVALID"]);
    expect((await a.admin.users.get(token.userId)).virtual).toBe(true);

    const idle = await a.admin.users.create(newUser(viewer, { virtual: true }));
    await a.admin.userActions.deactivate(idle.id);
    const before = await a.admin.users.get(idle.id);
    const inactive = await problemOf(() => a.admin.users.update(idle.id, { virtual: false }));
    expect([inactive.status, inactive.code, inactive.errors[0]?.path]).toEqual([
      409,
      "USER_STATE_INVALID",
      "virtual",
    ]);
    expect(await a.admin.users.get(idle.id)).toEqual(before);
  });

  it("lets no API token make the person who made it virtual (their own account, through it)", async () => {
    const admin = await roleIdByName(t, a.id, "Administrator");
    const me = (await a.admin.auth.me()).user;
    const token = await a.admin.apiTokens.create({ name: "Provisioner", roleId: admin });
    const p = await problemOf(() =>
      t.anonymous.withToken(token.token).users.update(me.id, { virtual: true }),
    );
    expect([p.status, p.code]).toEqual([403, "SELF_ACTION_FORBIDDEN"]);
    expect((await a.admin.users.get(me.id)).virtual).toBe(false);
  });

  it("needs users.credentials besides users.manage, and never moves the invitation to a new address", async () => {
    // An editor who may not reset MFA nor end sessions could do both through the switch, then have
    // the invitation sent to an address of their own (the review of this change).
    const editorRole = await createRole(a, ["users.view", "users.manage"]);
    const editor = await a.admin.users.create(newUser(editorRole, { password: CANARY_PASSWORD }));
    const editorApi = await t.signIn(a.slug, editor.username);
    // Holding nothing the editor lacks, so the editor may edit them.
    const victimRole = await createRole(a, ["users.view"]);
    const victim = await a.admin.users.create(newUser(victimRole, { password: CANARY_PASSWORD }));
    expect((await editorApi.users.update(victim.id, { title: "Dr" })).title).toBe("Dr");
    const before = await a.admin.users.get(victim.id);
    const p = await problemOf(() => editorApi.users.update(victim.id, { virtual: true }));
    expect([p.status, p.code, p.errors[0]?.path]).toEqual([403, "FORBIDDEN", "virtual"]);
    expect(await a.admin.users.get(victim.id)).toEqual(before);

    await a.admin.users.update(victim.id, { virtual: true });
    const moved = await problemOf(() =>
      a.admin.users.update(victim.id, { virtual: false, email: "elsewhere@attacker.example" }),
    );
    expect([moved.status, moved.code, moved.errors[0]?.path]).toEqual([409, "USER_STATE_INVALID", "virtual"]);
    expect(await mails("elsewhere@attacker.example", "user.invitation")).toEqual([]);
    expect((await a.admin.users.get(victim.id)).virtual).toBe(true);
  });

  it("records and tells what it removed: the password, the second factor and its devices", async () => {
    const person = await a.admin.users.create(newUser(viewer, { password: CANARY_PASSWORD }));
    const own = await t.signIn(a.slug, person.username);
    const { secret } = await own.mfa.startTotp();
    await own.mfa.confirmTotp(totpCodeAt(secret, totpStepAt(t.clock.now().getTime())));
    await a.admin.users.update(person.id, { virtual: true });
    const [event] = (await a.admin.audit.list({ targetId: person.id, action: "user.updated" })).items;
    expect(event?.changes).toMatchObject({
      virtual: { before: false, after: true },
      passwordRemoved: { after: true },
      mfaEnrolled: { before: true, after: false },
      recoveryCodesRemoved: { after: 10 },
    });
    const [told] = await mails(person.email, "auth.mfa.made_virtual");
    expect(told).toContain("made your account a virtual user");
    expect(told).not.toContain(secret);
  });
});
