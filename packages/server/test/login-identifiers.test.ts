/**
 * PRODUCT.md §2: a user signs in with their username or their email. A username that is another
 * user's email (or an email that is another user's username) would make one login name two
 * accounts, and the username's owner would take over the other's sign-in by email (found by the
 * issue 3 re-walk). Both are refused as taken, in any case.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { roleIdByName } from "./lifecycle-fixtures.ts";

describe(`login identifiers name one account (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let roleId: string;
  const make = (username: string, email: string) =>
    a.admin.users.create({
      username,
      email,
      firstName: "Lou",
      lastName: "Login",
      roleId,
      password: CANARY_PASSWORD,
      mustChangePassword: false,
    });

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    roleId = await roleIdByName(t, a, "Viewer");
    return () => t.close();
  });

  it("refuses a username that is another user's email, on create and on edit", async () => {
    const alice = await make("alice", "alice@x.example");
    const created = await problemOf(() => make("Alice@X.example", "bob@x.example"));
    expect([created.status, created.code, created.errors]).toEqual([
      409,
      "USER_USERNAME_TAKEN",
      [{ path: "username", message: "is another user's email address, which signs them in" }],
    ]);
    const carol = await make("carol", "carol@x.example");
    const edited = await problemOf(() => a.admin.users.update(carol.id, { username: "alice@x.example" }));
    expect([edited.status, edited.code]).toEqual([409, "USER_USERNAME_TAKEN"]);
    // Alice's email still signs Alice in.
    const me = await (await t.signIn(a.slug, "alice@x.example")).auth.me();
    expect(me.user.id).toBe(alice.id);
  });

  it("refuses an email that is another user's username", async () => {
    await make("zed@x.example", "zed.other@x.example");
    const created = await problemOf(() => make("yves", "ZED@x.example"));
    expect([created.status, created.code, created.errors]).toEqual([
      409,
      "USER_EMAIL_TAKEN",
      [{ path: "email", message: "is another user's username, which signs them in" }],
    ]);
    const yves = await make("yves", "yves@x.example");
    const edited = await problemOf(() => a.admin.users.update(yves.id, { email: "zed@x.example" }));
    expect([edited.status, edited.code]).toEqual([409, "USER_EMAIL_TAKEN"]);
  });

  it("lets a user's username be their own email, and edit other fields beside it", async () => {
    const eve = await make("eve@x.example", "eve@x.example");
    expect((await a.admin.users.update(eve.id, { lastName: "Edited" })).lastName).toBe("Edited");
    expect((await a.admin.users.update(eve.id, { username: "EVE@x.example" })).username).toBe(
      "EVE@x.example",
    );
  });
});
