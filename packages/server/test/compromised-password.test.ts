/**
 * A password an administrator marked compromised is never accepted again for that user (NIST
 * 800-63B: the verifier SHALL force a change on evidence of compromise), whichever way a new one
 * is set and whatever history the tenant keeps. Found by the SECURITY.md audit (2026-12-06): with
 * no history kept, the reset link sent on marking it took the same password back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createUser, mailBodies, resetLinkToken } from "./lifecycle-fixtures.ts";

const NEXT_PASSWORD = "harbour-violet-lantern-5521";

describe(`a password marked compromised (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t?.close());

  it("is refused by the reset link, by an administrator and later by the person, with no history kept", async () => {
    expect((await a.admin.settings.get()).passwordHistory).toBe(0);
    const { user } = await createUser(t, a);
    await a.admin.credentials.setUserPassword(user.id, { compromised: true });
    const token = await resetLinkToken(t, a.id, user.email);

    const byLink = await problemOf(() =>
      t.anonymous.credentials.resetPassword({ token, newPassword: CANARY_PASSWORD }),
    );
    expect(byLink.status).toBe(400);
    expect(byLink.problem).toMatchObject({ passwordProblem: "REUSED" });
    expect(byLink.errors[0]).toMatchObject({
      path: "newPassword",
      message: expect.stringMatching(/compromised/),
    });
    const byAdmin = await problemOf(() =>
      a.admin.credentials.setUserPassword(user.id, { password: CANARY_PASSWORD, mustChangePassword: false }),
    );
    expect(byAdmin.problem).toMatchObject({ passwordProblem: "REUSED" });
    await expect(t.signIn(a.slug, user.username, CANARY_PASSWORD)).rejects.toThrow();

    // The link was not used up by the refusals: a new password is taken.
    await t.anonymous.credentials.resetPassword({ token, newPassword: NEXT_PASSWORD });
    const person = await t.signIn(a.slug, user.username, NEXT_PASSWORD);
    const byPerson = await problemOf(() =>
      person.credentials.changePassword({ currentPassword: NEXT_PASSWORD, newPassword: CANARY_PASSWORD }),
    );
    expect(byPerson.problem).toMatchObject({ passwordProblem: "REUSED" });
  });

  it("says in its email what happened: voided and signed out, a link an administrator sent, or one asked for", async () => {
    const bodyTo = async (email: string) =>
      (await mailBodies(t, a.id, email, "auth.password.reset_link")).at(-1);
    const marked = (await createUser(t, a)).user;
    await a.admin.credentials.setUserPassword(marked.id, { compromised: true });
    const voided = await bodyTo(marked.email);
    expect(voided).toContain("marked the password of your account");
    expect(voided).toContain("no longer works, and every session of the account was signed out");
    expect(voided).not.toContain("stays as it is");
    const sent = (await createUser(t, a)).user;
    await a.admin.credentials.setUserPassword(sent.id, { sendResetLink: true });
    const fromAdmin = await bodyTo(sent.email);
    expect(fromAdmin).toContain("An administrator sent you a link");
    expect(fromAdmin).not.toContain("stays as it is");
    // A second later, so that the newest row is this one (the clock is the tests' own).
    t.clock.advance(1000);
    await t.anonymous.credentials.forgotPassword({ tenant: a.slug, email: sent.email });
    expect(await bodyTo(sent.email)).toContain(
      "If you did not ask for this, ignore this email: your password stays as it is.",
    );
  });

  it("keeps refusing the first after a second is marked", async () => {
    const { user } = await createUser(t, a);
    await a.admin.credentials.setUserPassword(user.id, { compromised: true });
    await t.anonymous.credentials.resetPassword({
      token: await resetLinkToken(t, a.id, user.email),
      newPassword: NEXT_PASSWORD,
    });
    await a.admin.credentials.setUserPassword(user.id, { compromised: true });
    for (const password of [CANARY_PASSWORD, NEXT_PASSWORD]) {
      const refused = await problemOf(() =>
        a.admin.credentials.setUserPassword(user.id, { password, mustChangePassword: false }),
      );
      expect(refused.problem, password).toMatchObject({ passwordProblem: "REUSED" });
    }
  });
});
