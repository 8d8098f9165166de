/**
 * An API token is its maker's delegated credential: it may not do to the person who made it (up
 * a chain of tokens made by tokens) what that person may not do to themselves. Found by the
 * SECURITY.md audit (2026-12-06): from a stolen session, a token made on the spot changed the
 * person's email, reset their MFA and set their password, and the account was taken over.
 */
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createUser, roleIdByName, userRow } from "./lifecycle-fixtures.ts";
import { PATCH_OP, scimClient } from "./scim-fixtures.ts";

describe(`what an API token may do to the person who made it (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let adminRole: string;
  let viewerRole: string;
  /** The person: an administrator, signed in. */
  let maker: { id: string; email: string; client: Staffgate };
  let token: string;
  let viaToken: Staffgate;
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    adminRole = await roleIdByName(t, a, "Administrator");
    viewerRole = await roleIdByName(t, a, "Viewer");
    const made = await createUser(t, a);
    maker = { id: made.user.id, email: made.user.email, client: made.client };
    token = (await maker.client.apiTokens.create({ name: "Stolen session's token", roleId: adminRole }))
      .token;
    viaToken = t.anonymous.withToken(token);
  });
  afterAll(() => t?.close());

  /** Each refusal, then the maker's row unchanged. */
  async function refusedOnMaker(client: Staffgate) {
    const before = await userRow(t, a, maker.id);
    const refusals = [
      await problemOf(() => client.users.update(maker.id, { email: `taken-${++n}@attacker.example` })),
      await problemOf(() => client.mfa.reset(maker.id)),
      await problemOf(() =>
        client.credentials.setUserPassword(maker.id, { password: "lantern-harbour-violet-9931" }),
      ),
      await problemOf(() => client.credentials.setUserPassword(maker.id, { random: true })),
      await problemOf(() => client.credentials.setUserPassword(maker.id, { sendResetLink: true })),
      await problemOf(() => client.credentials.setUserPassword(maker.id, { compromised: true })),
      await problemOf(() =>
        client.patientAccess.grant("patient-own-1", { userId: maker.id, reason: "looking myself up" }),
      ),
      // The application's report vouches for others, not for the person behind the token.
      await problemOf(() => client.patientAccess.created("patient-own-2", { userId: maker.id })),
    ];
    for (const r of refusals) expect(r.code, r.message).toBe("SELF_ACTION_FORBIDDEN");
    expect(refusals[0]!.errors?.[0]?.path).toBe("email");
    const roleChange = await problemOf(() => client.users.update(maker.id, { roleId: viewerRole }));
    expect(roleChange.code).toBe("SELF_ROLE_CHANGE");
    const privateRole = await problemOf(() =>
      client.userActions.setPermissions(maker.id, { permissions: [] }),
    );
    expect(privateRole.code).toBe("SELF_ROLE_CHANGE");
    expect(await userRow(t, a, maker.id)).toEqual(before);
  }

  it("refuses every change a person may not make to themselves, and changes nothing", async () => {
    await refusedOnMaker(viaToken);
  });

  it("does not edit a role the person holds, nor ask a token for a password it cannot give", async () => {
    // The maker holds a role of their own; their token holds another that may edit roles.
    const held = await a.admin.roles.create({
      name: "Held by the maker",
      permissions: ["users.view", "audit.view"],
    });
    const person = await createUser(t, a, { roleId: held.id });
    const editors = await a.admin.roles.create({
      name: "Role editors (token)",
      permissions: ["users.view", "roles.manage", "api_tokens.manage"],
    });
    await a.admin.users.update(person.user.id, { roleId: editors.id });
    const theirs = await person.client.apiTokens.create({ name: "Role sync", roleId: editors.id });
    await a.admin.users.update(person.user.id, { roleId: held.id });
    // The token no longer covered by its maker is refused outright; give the maker both again.
    const both = await a.admin.roles.create({
      name: "Both",
      permissions: ["users.view", "audit.view", "roles.manage", "api_tokens.manage"],
    });
    await a.admin.users.update(person.user.id, { roleId: both.id });
    const viaTheirs = t.anonymous.withToken(theirs.token);
    const edit = await problemOf(() => viaTheirs.roles.update(both.id, { permissions: ["users.view"] }));
    expect(edit.code).toBe("SELF_ROLE_CHANGE");
    expect((await a.admin.roles.get(both.id)).permissions).toContain("roles.manage");

    const integrationUser = (await viaToken.auth.me()).user.id;
    const own = await problemOf(() =>
      viaToken.users.update(integrationUser, { email: "integration@elsewhere.example" }),
    );
    expect([own.status, own.code]).toEqual([403, "SELF_ACTION_FORBIDDEN"]);
  });

  it("holds up a chain of tokens made by tokens", async () => {
    const second = await viaToken.apiTokens.create({ name: "Made by the token", roleId: adminRole });
    await refusedOnMaker(t.anonymous.withToken(second.token));
  });

  it("refuses the email over SCIM too", async () => {
    const scim = scimClient(t, token);
    const answer = await scim("PATCH", `/Users/${maker.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "replace", path: "emails", value: [{ value: "scim@attacker.example", primary: true }] },
      ],
    });
    expect(answer.status).toBe(403);
    expect((await userRow(t, a, maker.id))?.email).toBe(maker.email);
  });

  it("still acts on everyone else as its role allows", async () => {
    const other = await createUser(t, a, { roleId: viewerRole });
    const moved = `moved-${other.user.username}@${a.slug}.example`;
    expect((await viaToken.users.update(other.user.id, { email: moved })).email).toBe(moved);
    await viaToken.credentials.setUserPassword(other.user.id, { sendResetLink: true });
    expect((await viaToken.mfa.reset(other.user.id)).id).toBe(other.user.id);
  });

  it("records the opener's review through their own token as a self-review", async () => {
    const opened = await maker.client.emergencyAccess.open({
      reason: "Patient collapsed in the waiting room",
      password: CANARY_PASSWORD,
      patientRef: "mrn-collapsed",
    });
    await viaToken.emergencyAccess.review(opened.id, "Reviewed by my integration");
    const event = await t.db.kysely
      .selectFrom("audit_events")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .where("action", "=", "emergency_access.reviewed")
      .where("target_id", "=", opened.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.changes!)).toMatchObject({ selfReview: { after: true } });
  });

  it("lets no one extend or remove their own expiry (session, token, CSV), only bring it sooner", async () => {
    const soon = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const sooner = new Date(t.clock.now().getTime() + 1_800_000).toISOString();
    const person = await createUser(t, a);
    await a.admin.users.update(person.user.id, { expiresAt: soon });
    const ownToken = (await person.client.apiTokens.create({ name: `Own token ${++n}`, roleId: adminRole }))
      .token;
    const attempts = [
      () => person.client.users.update(person.user.id, { expiresAt: null }),
      () => person.client.users.update(person.user.id, { expiresAt: "2099-01-01T00:00:00Z" }),
      () => t.anonymous.withToken(ownToken).users.update(person.user.id, { expiresAt: null }),
    ];
    for (const attempt of attempts) {
      const p = await problemOf(attempt);
      expect(`${p.status} ${p.code}`).toBe("403 SELF_ACTION_FORBIDDEN");
    }
    // A CSV row is refused as its cells, every fault at once, with the whole file (nothing written).
    const csv = await problemOf(() =>
      person.client.users.import({
        csv: `email,role,expiresAt\n${person.user.email},Viewer,2099-02-01T00:00:00Z\n`,
      }),
    );
    expect([csv.status, csv.code]).toEqual([422, "USER_IMPORT_INVALID"]);
    expect(csv.errors.map((e) => e.path).sort()).toEqual(["csv.2.expiresAt", "csv.2.role"]);
    expect((await a.admin.users.get(person.user.id)).expiresAt).toBe(soon);
    expect((await person.client.users.update(person.user.id, { expiresAt: sooner })).expiresAt).toBe(sooner);
  });
});
