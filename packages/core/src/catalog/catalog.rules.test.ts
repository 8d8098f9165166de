import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildCatalog, CatalogError, expandPermissions } from "./catalog.rules.ts";
import { loadCatalogs, PRESET_NAMES } from "./catalogs.ts";

const perm = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  label: key,
  category: "Test",
  scope: "tenant+workspace",
  ...extra,
});

const file = (permissions: unknown[], extra: Record<string, unknown> = {}) => ({
  name: "test",
  version: "1",
  permissions,
  ...extra,
});

function problemsOf(input: unknown): readonly string[] {
  try {
    buildCatalog(input, "test");
  } catch (error) {
    if (error instanceof CatalogError) return error.problems;
    throw error;
  }
  return [];
}

describe("catalogue validation", () => {
  it("accepts the three presets and adds the administration permissions to each", () => {
    const catalogs = loadCatalogs();
    for (const name of PRESET_NAMES) {
      const c = catalogs.get(name)!;
      expect(c.byKey.get("users.manage")?.scope).toBe("tenant");
      expect(c.byKey.get("emergency_access.use")).toBeDefined();
      expect(c.roles.find((r) => r.name === "Administrator")?.locked).toBe(true);
      expect(c.workRoles.length).toBeGreaterThan(0);
      // PRODUCT.md §2: each permission has a key, label, description and category.
      expect(c.permissions.filter((p) => p.description.trim() === "").map((p) => p.key)).toEqual([]);
    }
    expect(catalogs.defaultName).toBe("radiotherapy");
  });

  it("rejects a duplicate key", () => {
    expect(problemsOf(file([perm("a.read"), perm("a.read")]))).toContain('duplicate permission key "a.read"');
  });

  it("rejects a key that redefines an administration permission", () => {
    expect(problemsOf(file([perm("users.view")]))).toContain('duplicate permission key "users.view"');
  });

  it("rejects an unknown implied key", () => {
    expect(problemsOf(file([perm("a.write", { implies: ["a.read"] })]))).toContain(
      '"a.write" implies unknown key "a.read"',
    );
  });

  it("rejects a cycle and names it", () => {
    const problems = problemsOf(
      file([
        perm("a.one", { implies: ["a.two"] }),
        perm("a.two", { implies: ["a.three"] }),
        perm("a.three", { implies: ["a.one"] }),
      ]),
    );
    expect(problems.some((p) => p.startsWith("implies has a cycle: a.one → a.two → a.three → a.one"))).toBe(
      true,
    );
  });

  it("rejects an implication that would widen a collaborator or a workspace row", () => {
    expect(
      problemsOf(
        file([perm("c.read", { collaborator: "forbidden" }), perm("c.peek", { implies: ["c.read"] })]),
      ),
    ).toContain('"c.peek" is allowed for collaborators but implies forbidden "c.read"');
    expect(
      problemsOf(file([perm("t.only", { scope: "tenant" }), perm("w.any", { implies: ["t.only"] })])),
    ).toContain('"w.any" is workspace-scoped but implies tenant-only "t.only"');
  });

  it("reports schema errors with their path", () => {
    expect(problemsOf(file([perm("Bad Key")]))[0]).toMatch(/^permissions\.0\.key: /);
    expect(problemsOf(file([perm("a.b", { scope: "patient" })]))[0]).toMatch(/^permissions\.0\.scope: /);
  });

  it("rejects roles granting unknown keys", () => {
    expect(problemsOf(file([perm("a.read")], { roles: [{ name: "R", permissions: ["b.read"] }] }))).toContain(
      'role "R" grants unknown key "b.read"',
    );
  });

  it("follows implications transitively", () => {
    const c = buildCatalog(
      file([
        perm("a.read"),
        perm("a.write", { implies: ["a.read"] }),
        perm("a.admin", { implies: ["a.write"] }),
      ]),
      "t",
    );
    expect([...expandPermissions(c, ["a.admin"])].sort()).toEqual(["a.admin", "a.read", "a.write"]);
  });

  it("refuses a STAFFGATE_CATALOG value that is neither a preset nor a file", () => {
    expect(() => loadCatalogs("oncology")).toThrow(/not a preset/);
  });

  it("refuses a catalogue file under a preset's name, which would replace that preset in its tenants", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-catalog-name-"));
    try {
      const named = (name: string) => {
        const f = path.join(dir, `${name}.json`);
        writeFileSync(f, JSON.stringify(file([perm("a.read")], { name })));
        return f;
      };
      expect(() => loadCatalogs(named("veterinary"))).toThrow(/name "veterinary" is a built-in preset's/);
      expect(loadCatalogs(named("dental")).defaultName).toBe("dental");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a patient-scoped permission that collaborators would hold unrestricted", () => {
    expect(problemsOf(file([perm("p.read", { patientScoped: true, collaborator: "unaffected" })]))).toContain(
      '"p.read" is patient-scoped, so collaborator must be "restricted" or "forbidden"',
    );
    expect(problemsOf(file([perm("p.read", { patientScoped: true, collaborator: "restricted" })]))).toEqual(
      [],
    );
  });

  it("rejects work roles that differ only in case (users' work roles are matched without it)", () => {
    expect(
      problemsOf(file([perm("a.read")], { workRoles: [{ name: "Dentist" }, { name: " dentist" }] })),
    ).toContain('duplicate work role " dentist"');
  });

  it("checks the preset roles as the role API would: the every-permission role, Administrator, collaborators", () => {
    const perms = [
      perm("fees.read", { collaborator: "forbidden" }),
      perm("fees.peek", { collaborator: "forbidden", implies: ["fees.read"] }),
      perm("charts.read", { patientScoped: true, collaborator: "restricted" }),
    ];
    const roles = [
      { name: "Everything", permissions: "*" },
      { name: "Shared", permissions: "*", locked: true, collaborator: true },
      { name: "administrator", permissions: ["charts.read"] },
      { name: "Referrer", permissions: ["charts.read", "fees.read"], collaborator: true },
      { name: "Auditor", permissions: ["fees.peek"], collaborator: true },
      { name: "Billing", permissions: ["fees.read"] },
    ];
    // Names are compared as the stored name_key is made (case and surrounding spaces aside).
    expect(
      problemsOf(
        file(perms, {
          roles: [
            { name: "Billing", permissions: ["fees.read"] },
            { name: "billing ", permissions: [] },
          ],
        }),
      ),
    ).toEqual(['duplicate role "billing "']);
    expect(problemsOf(file(perms, { roles: [{ name: " administrator ", permissions: [] }] }))).toEqual([
      'role " administrator " must grant every permission ("*"): that is what the Administrator role holds',
    ]);
    expect(problemsOf(file(perms, { roles }))).toEqual([
      'role "Everything" grants every permission ("*"), so it must be locked',
      'role "Shared" grants every permission ("*") and cannot be a collaborator role',
      'role "administrator" must grant every permission ("*"): that is what the Administrator role holds',
      'role "Referrer" is a collaborator role and grants "fees.read", which is forbidden for collaborators',
      'role "Auditor" is a collaborator role and grants "fees.peek", which is forbidden for collaborators',
    ]);
  });
});
