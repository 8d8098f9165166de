/**
 * Human text, as the text audit (2026-12-05) checked it: the same answers on SQLite and
 * PostgreSQL for names in any script, searched in any case, with LIKE's metacharacters literal;
 * usernames in NFC whatever was typed; no text-direction overrides in what exports and emails show.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { roleIdByName } from "./lifecycle-fixtures.ts";

/** The default preset with work roles in Greek and Turkish capitals (the parity review's). */
function catalogWithWorkRoles(dir: string): string {
  const preset = new URL("../../core/src/catalog/presets/radiotherapy.json", import.meta.url);
  const catalog = JSON.parse(readFileSync(preset, "utf8")) as { name: string; workRoles: unknown[] };
  catalog.name = "radiotherapy-text";
  catalog.workRoles.push(
    { name: "ΦΥΣΙΚΟΣ", professionalIdLabel: null },
    { name: "İÇ HASTALIKLARI", professionalIdLabel: null },
  );
  const file = path.join(dir, "catalog.json");
  writeFileSync(file, JSON.stringify(catalog));
  return file;
}

describe(`human text (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  const dir = mkdtempSync(path.join(tmpdir(), "staffgate-text-"));
  beforeAll(async () => {
    t = await startTestApp({ catalog: catalogWithWorkRoles(dir) });
    a = await t.createTenant();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });
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

  // The parity review (2026-12-07): PostgreSQL's lower() made İ an i and a final Σ a σ, where the
  // value typed was lowered by JavaScript: the exact username found none of its events there.
  it("folds a dotted capital İ and a final sigma alike on both databases: audit actor and text, workspaces, work roles", async () => {
    const ipek = await make({
      username: "İpek.Y",
      firstName: "İpek",
      lastName: "Yıldız",
      workRole: "İÇ HASTALIKLARI",
    });
    const nikos = await make({
      username: "ΝΙΚΟΣ.Π",
      firstName: "Νίκος",
      lastName: "Παππάς",
      workRole: "ΦΥΣΙΚΟΣ",
    });
    // Another user, whose username only a fold that drops İ's dot would confuse with İpek's.
    const other = await make({ username: "ipek.y", firstName: "Ipek", lastName: "Other" });
    for (const [user, login] of [
      [ipek, "İpek.Y"],
      [nikos, "ΝΙΚΟΣ.Π"],
      [other, "ipek.y"],
    ] as const) {
      const client = await t.signIn(a.slug, login);
      await client.users.update(user.id, { title: `title of ${login}` });
    }
    const actedOn = async (actor: string) =>
      (await a.admin.audit.list({ actor, action: "user.updated" })).items.map((e) => e.target?.id);
    expect(await actedOn("İpek.Y")).toEqual([ipek.id]);
    expect(await actedOn("i̇pek.y")).toEqual([ipek.id]);
    expect(await actedOn("ipek.y")).toEqual([other.id]);
    expect(await actedOn("ΝΙΚΟΣ.Π")).toEqual([nikos.id]);
    expect(await actedOn("νικοσ.π")).toEqual([nikos.id]);
    // A username, not a search: two accounts whose usernames differ only by a final ς against σ
    // (usernames' identity keeps them apart) each find their own events, and only theirs.
    const odysseus = await make({ username: "ΟΔΥΣΣΕΥΣ", firstName: "Οδυσσευς", lastName: "Λαερτιαδης" });
    const namesake = await make({ username: "οδυσσευσ", firstName: "Οδυσσευσ", lastName: "Αλλος" });
    for (const [user, login] of [
      [odysseus, "ΟΔΥΣΣΕΥΣ"],
      [namesake, "οδυσσευσ"],
    ] as const) {
      await (await t.signIn(a.slug, login)).users.update(user.id, { title: `acted as ${login}` });
    }
    expect(await actedOn("ΟΔΥΣΣΕΥΣ")).toEqual([odysseus.id]);
    expect(await actedOn("οδυσσευς")).toEqual([odysseus.id]);
    expect(await actedOn("οδυσσευσ")).toEqual([namesake.id]);
    const exported = await a.admin.transport.raw(
      "GET",
      "/api/v1/audit/export?format=jsonl&actor=%C4%B0pek.Y",
    );
    expect((await exported.text()).trim().split("\n").length).toBeGreaterThanOrEqual(2);
    for (const q of [
      "title of İpek",
      "TITLE OF İPEK",
      "title of ΝΙΚΟΣ",
      "title of νικος",
      "title of νικοσ",
    ]) {
      expect((await a.admin.audit.list({ q, action: "user.updated" })).items.length, q).toBe(1);
    }
    await a.admin.workspaces.create({ slug: "istanbul", name: "İstanbul Klinik" });
    await a.admin.workspaces.create({ slug: "athina", name: "ΑΘΗΝΑ ΚΕΝΤΡΟΣ" });
    const slugs = async (q: string) => (await a.admin.workspaces.list({ q })).items.map((w) => w.slug);
    expect(await slugs("İstanbul")).toEqual(["istanbul"]);
    expect(await slugs("i̇stanbul")).toEqual(["istanbul"]);
    expect(await slugs("ΚΕΝΤΡΟΣ")).toEqual(["athina"]);
    expect(await slugs("κεντροσ")).toEqual(["athina"]);
    const holders = async (workRole: string) =>
      (await a.admin.users.list({ workRole })).items.map((u) => u.id);
    expect(await holders("ΦΥΣΙΚΟΣ")).toEqual([nikos.id]);
    expect(await holders("φυσικος")).toEqual([nikos.id]);
    expect(await holders("İÇ HASTALIKLARI")).toEqual([ipek.id]);
    expect(await holders("i̇ç hastaliklari")).toEqual([ipek.id]);
    // Turkish's own lower case (dotless ı) is a language's rule, which neither database applies.
    expect(await holders("iç hastalıkları")).toEqual([]);
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
