import type { User } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { insertRole, newUser, roleIdByName, setUserColumns } from "./users-fixtures.ts";

type Sort = NonNullable<Parameters<Staffgate["users"]["list"]>[0]>["sort"];

describe(`users list and seats (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let viewer: string;
  let special: string;
  let wsA: string;
  let wsB: string;
  const u: Record<string, User> = {};

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    viewer = await roleIdByName(t, a.id, "Viewer");
    special = await insertRole(t, a.id, "Special", ["patients.read"]);
    wsA = (await a.admin.workspaces.create({ slug: "list-a", name: "A" })).id;
    wsB = (await a.admin.workspaces.create({ slug: "list-b", name: "B" })).id;
    const make = async (key: string, over: Parameters<typeof newUser>[1]) => {
      t.clock.advance(1000);
      u[key] = await a.admin.users.create(
        newUser(viewer, { username: key, email: `${key}@list.test`, ...over }),
      );
    };
    await make("anna", { firstName: "Anna", lastName: "Zimmer", employeeNumber: "E%1", workRole: "Nurse" });
    await make("bert", {
      firstName: "Bert",
      lastName: "Young",
      employeeNumber: "E21",
      workspaceAccess: [wsA],
    });
    await make("cleo", {
      firstName: "Cleo",
      lastName: "Xavier",
      employeeNumber: "E_9",
      workspaceAccess: [wsB],
    });
    await make("dora", { firstName: "Dora", lastName: "Walker", employeeNumber: "EX9", roleId: special });
    await make("emil", {
      firstName: "Emil",
      lastName: "Vogel",
      workspaceAccess: [wsB],
      workspaceRoles: [{ workspaceId: wsB, roleId: special }],
    });
    await make("fred", { firstName: "Fred", lastName: "Ulrich", virtual: true });
    await make("gina", { firstName: "Gina", lastName: "Turner" });
    await make("hugo", { firstName: "Hugo", lastName: "Turner" });
    await make("ines", { firstName: "Ines", lastName: "Stone", password: "a-long-enough-password-1" });
    await make("jack", { firstName: "Jack", lastName: "Roth", password: "a-long-enough-password-1" });
    // Everyone above except anna is invited; make them active, then vary a few.
    for (const key of Object.keys(u)) await setUserColumns(t, a.id, u[key]!.id, { status: "active" });
    await setUserColumns(t, a.id, u.gina!.id, { status: "inactive" });
    await setUserColumns(t, a.id, u.hugo!.id, { status: "archived" });
    await setUserColumns(t, a.id, u.ines!.id, { status: "invited" });
    await setUserColumns(t, a.id, u.jack!.id, { locked: 1, last_login_at: "2026-01-01T00:00:00.000Z" });
    await setUserColumns(t, a.id, u.bert!.id, { last_login_at: "2026-01-04T00:00:00.000Z" });
    await setUserColumns(t, a.id, u.cleo!.id, { last_login_at: "2025-06-01T00:00:00.000Z" });
    await b.admin.users.create(
      newUser(await roleIdByName(t, b.id, "Viewer"), { username: "anna2", lastName: "Zimmer" }),
    );
  });
  afterAll(() => t.close());

  const names = async (query: Parameters<Staffgate["users"]["list"]>[0]) =>
    (await a.admin.users.list({ limit: 200, ...query })).items.map((x) => x.username);

  it("lists active users by default, and every status on request", async () => {
    const active = await names({});
    // sort_name is "last first": Admin Ada, Roth Jack, Ulrich Fred, … Zimmer Anna.
    expect(active).toEqual(["admin", "jack", "fred", "emil", "dora", "cleo", "bert", "anna"]);
    expect(active).not.toContain("anna2");
    expect(await names({ status: "inactive" })).toEqual(["gina"]);
    expect(await names({ status: "archived" })).toEqual(["hugo"]);
    expect(await names({ status: "invited" })).toEqual(["ines"]);
    expect((await names({ status: "all" })).length).toBe(11);
    // Several statuses at once: the console's default view (everyone not switched off or archived)
    // and its "Show inactive"; repeats are ignored, and a wrong word is named.
    expect((await names({ status: "active,invited" })).sort()).toEqual([...active, "ines"].sort());
    expect((await names({ status: "invited,active,inactive,invited" })).sort()).toEqual(
      [...active, "ines", "gina"].sort(),
    );
    const bad = await problemOf(() => a.admin.users.list({ status: "active,gone" }));
    expect(bad.status).toBe(400);
    expect(bad.errors.map((e) => e.path)).toEqual(["query.status"]);
    expect((await problemOf(() => a.admin.users.list({ status: "all,active" as never }))).status).toBe(400);
  });

  it("filters by virtual, locked, role, workspace, work role and last sign-in", async () => {
    expect(await names({ virtual: true })).toEqual(["fred"]);
    expect(await names({ virtual: false })).not.toContain("fred");
    expect(await names({ locked: true })).toEqual(["jack"]);
    expect((await names({ roleId: special })).sort()).toEqual(["dora", "emil"]);
    const inA = await names({ workspaceId: wsA });
    expect(inA).toContain("bert");
    expect(inA).toContain("admin");
    expect(inA).not.toContain("cleo");
    expect(inA).not.toContain("emil");
    // PRODUCT.md's names for the same two filters.
    expect((await names({ role: special })).sort()).toEqual(["dora", "emil"]);
    expect(await names({ workspace: wsA })).toEqual(inA);
    expect(await names({ workRole: "Nurse" })).toEqual(["anna"]);
    // In any case, as a work role is matched when it is given (issue 3 re-walk).
    expect(await names({ workRole: "nURSE" })).toEqual(["anna"]);
    // Users with access to "all" are in every workspace of the tenant, not in a missing or foreign one.
    const foreign = (await b.admin.workspaces.create({ slug: "list-foreign", name: "F" })).id;
    expect(await names({ workspaceId: foreign, status: "all" })).toEqual([]);
    expect(await names({ workspaceId: "wsp_missing0000000000000", status: "all" })).toEqual([]);
    const stale = await names({ lastLoginBefore: "2026-01-02T00:00:00Z" });
    expect(stale).toContain("jack");
    expect(stale).toContain("cleo");
    expect(stale).toContain("anna");
    expect(stale).not.toContain("bert");
    // A date alone is that day's start, as the audit's range bounds read it.
    expect(await names({ lastLoginBefore: "2026-01-02" })).toEqual(stale);
  });

  it("searches name, username, email and employee number, with % and _ matched literally", async () => {
    expect(await names({ q: "ZIMMER" })).toEqual(["anna"]);
    expect(await names({ q: "dora@list" })).toEqual(["dora"]);
    expect(await names({ q: "e%1" })).toEqual(["anna"]);
    expect(await names({ q: "e_9" })).toEqual(["cleo"]);
    expect(await names({ q: "%" })).toEqual(["anna"]);
    expect(await names({ q: "nobody-here" })).toEqual([]);
  });

  it.each<[Sort, (x: User, y: User) => number]>([
    [
      "name",
      (x, y) =>
        `${x.lastName} ${x.firstName}`
          .toLowerCase()
          .localeCompare(`${y.lastName} ${y.firstName}`.toLowerCase()),
    ],
    ["-username", (x, y) => y.username.localeCompare(x.username)],
    ["email", (x, y) => x.email.localeCompare(y.email)],
    ["-createdAt", (x, y) => y.createdAt.localeCompare(x.createdAt) || y.id.localeCompare(x.id)],
  ])("sorts by %s", async (sort, compare) => {
    const items = (await a.admin.users.list({ status: "all", sort, limit: 200 })).items;
    expect(items.map((x) => x.id)).toEqual([...items].sort(compare).map((x) => x.id));
  });

  it("puts users who never signed in first when sorting by lastLoginAt", async () => {
    const items = (await a.admin.users.list({ sort: "lastLoginAt", limit: 200 })).items;
    const logins = items.map((x) => x.lastLoginAt ?? "");
    expect(logins).toEqual([...logins].sort());
    expect(items[0]?.lastLoginAt).toBeNull();
    expect(items.map((x) => x.username).slice(-3)).toEqual(["jack", "bert", "admin"]);
  });

  it.each<Sort>(["name", "-name", "username", "-email", "createdAt", "lastLoginAt", "-lastLoginAt"])(
    "pages by cursor without duplicates or gaps (%s)",
    async (sort) => {
      const all = (await a.admin.users.list({ status: "all", sort, limit: 200 })).items.map((x) => x.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await a.admin.users.list({
          status: "all",
          sort,
          limit: 3,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.items.map((x) => x.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(all);
    },
  );

  it("refuses a malformed cursor, one from another sort, and a limit over 200", async () => {
    const first = await a.admin.users.list({ limit: 2 });
    const other = await problemOf(() => a.admin.users.list({ sort: "email", cursor: first.nextCursor! }));
    expect([other.status, other.code]).toEqual([400, "INVALID_CURSOR"]);
    expect((await problemOf(() => a.admin.users.list({ cursor: "garbage" }))).code).toBe("INVALID_CURSOR");
    expect((await problemOf(() => a.admin.users.list({ limit: 201 }))).errors[0]?.path).toBe("query.limit");
  });

  it("counts seats: active non-virtual users; virtual ones apart", async () => {
    // admin, anna, bert, cleo, dora, emil, jack are active and non-virtual; fred is virtual.
    expect(await a.admin.users.seats()).toEqual({ seats: 7, virtual: 1 });
    expect(await b.admin.users.seats()).toEqual({ seats: 1, virtual: 0 });
  });
});
