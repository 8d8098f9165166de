/**
 * Human text, as the text audit (2026-12-05) checked it: the same answers on SQLite and
 * PostgreSQL for names in any script, searched in any case, with LIKE's metacharacters literal;
 * usernames in NFC whatever was typed; no text-direction overrides in what exports and emails show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { roleIdByName } from "./lifecycle-fixtures.ts";

describe(`human text (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t.close());
  let n = 0;
  /** A user with these fields (an administrator, with the suite's password), made by the admin. */
  const make = async (fields: Record<string, unknown>) => {
    n += 1;
    return a.admin.users.create({
      username: `text${n}`,
      email: `text${n}@${a.slug}.example`,
      firstName: "Uma",
      lastName: "Text",
      roleId: await roleIdByName(t, a, "Administrator"),
      password: CANARY_PASSWORD,
      mustChangePassword: false,
      ...fields,
    } as never);
  };

  it("finds non-ASCII capitals in the audit trail, by text and by actor, in any case", async () => {
    const user = await make({ username: "Ödön.X", firstName: "Ödön", lastName: "ÉLŐ" });
    for (const q of ["Ödön", "ödön", "ÖDÖN", "élő"]) {
      const found = await a.admin.audit.list({ q, targetId: user.id });
      expect(
        found.items.map((e) => e.action),
        q,
      ).toContain("user.created");
    }
    const odon = await t.signIn(a.slug, "Ödön.X");
    await odon.users.update(user.id, { title: "Ylilääkäri" });
    for (const actor of ["Ödön.X", "ödön.x", "ÖDÖN.X", "O\u0308do\u0308n.X"]) {
      const mine = await a.admin.audit.list({ actor, action: "user.updated" });
      expect(
        mine.items.map((e) => e.target?.id),
        actor,
      ).toContain(user.id);
    }
    const typed = await a.admin.audit.list({ q: "YLILÄÄKÄRI" });
    expect(typed.items.map((e) => e.target?.id)).toContain(user.id);
  });

  it("searches workspaces literally (% and _ are themselves) and in any case", async () => {
    await a.admin.workspaces.create({ slug: "ward-a", name: "Ward_A Ärztezimmer 100%" });
    await a.admin.workspaces.create({ slug: "wardxa", name: "WardxA" });
    const slugs = async (q: string) => (await a.admin.workspaces.list({ q })).items.map((w) => w.slug).sort();
    expect(await slugs("ward_a")).toEqual(["ward-a"]);
    expect(await slugs("100%")).toEqual(["ward-a"]);
    expect(await slugs("ÄRZTE")).toEqual(["ward-a"]);
    expect(await slugs("ärzte")).toEqual(["ward-a"]);
  });

  it("finds a Greek name ending in a capital sigma by its first letters", async () => {
    const user = await make({ firstName: "ΟΔΥΣΣΕΑΣ", lastName: "Παππας" });
    for (const q of ["ΟΔΥΣ", "ΟΔΥΣΣ", "οδυσ", "ΠΑΠΠΑΣ"]) {
      expect(
        (await a.admin.users.list({ q })).items.map((u) => u.id),
        q,
      ).toContain(user.id);
    }
  });

  it("takes a username typed with combining marks, as NFC, and one in a script that needs them", async () => {
    const nfd = await make({ username: "jose\u0301.m" });
    expect(nfd.username).toBe("jos\u00e9.m");
    const hindi = await make({ username: "अनिल" });
    expect(hindi.username).toBe("अनिल");
    const taken = await problemOf(() => make({ username: "JOS\u00c9.M" }));
    expect([taken.status, taken.code]).toEqual([409, "USER_USERNAME_TAKEN"]);
    const mark = await problemOf(() => make({ username: "\u0301abc" }));
    expect(mark.errors.map((e) => e.path)).toEqual(["username"]);
  });

  it("refuses text-direction overrides and a name of invisible characters alone, naming the field", async () => {
    for (const [firstName, label] of [
      ["\u202Eevil", "RLO"],
      ["ab\u2066c", "LRI"],
      ["\u200B", "zero-width space alone"],
      ["\u200E\u200F", "direction marks alone"],
    ]) {
      const p = await problemOf(() => make({ firstName }));
      expect([p.status, p.errors.map((e) => e.path)], label).toEqual([400, ["firstName"]]);
    }
    // Persian names carry a zero-width non-joiner: text.
    const persian = await make({ firstName: "می\u200Cخواهم" });
    expect(persian.firstName).toBe("می\u200Cخواهم");
  });
});
