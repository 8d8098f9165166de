import type { Permission } from "@staffgate/contract";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";

interface Row {
  readonly workspaceId: string;
  readonly permissions: string[];
  readonly collaborator: boolean;
}
interface Definition {
  readonly permissions: string[];
  readonly collaborator: boolean;
  readonly workspaces: Row[];
}

type Verdict = { outcome: "invalid" } | { outcome: "rule"; rules: Set<string> } | { outcome: "ok" };

/** PRODUCT.md §2's invariants, written out plainly and separately from roles.rules.ts. */
function judge(
  catalog: ReadonlyMap<string, Permission>,
  workspaceIds: ReadonlySet<string>,
  d: Definition,
): Verdict {
  const expand = (keys: readonly string[]): Permission[] => {
    const seen = new Set<string>();
    const visit = (k: string) => {
      if (seen.has(k)) return;
      seen.add(k);
      for (const next of catalog.get(k)?.implies ?? []) visit(next);
    };
    keys.forEach(visit);
    return [...seen].map((k) => catalog.get(k)!);
  };
  const allKeys = [...d.permissions, ...d.workspaces.flatMap((w) => w.permissions)];
  const ids = d.workspaces.map((w) => w.workspaceId);
  if (
    allKeys.some((k) => !catalog.has(k)) ||
    ids.some((id) => !workspaceIds.has(id)) ||
    new Set(ids).size !== ids.length
  ) {
    return { outcome: "invalid" };
  }
  const tenantLevel = expand(d.permissions);
  const rules = new Set<string>();
  if (d.collaborator && d.workspaces.length > 0) rules.add("COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS");
  if (
    d.workspaces.some((w) => w.collaborator) &&
    tenantLevel.some((p) => p.patientScoped || p.collaborator === "forbidden")
  ) {
    rules.add("COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS");
  }
  const hasForbidden = (ps: Permission[]) => ps.some((p) => p.collaborator === "forbidden");
  if (
    (d.collaborator && hasForbidden(tenantLevel)) ||
    d.workspaces.some((w) => w.collaborator && hasForbidden(expand(w.permissions)))
  ) {
    rules.add("FORBIDDEN_FOR_COLLABORATOR");
  }
  if (d.workspaces.some((w) => expand(w.permissions).some((p) => p.scope === "tenant"))) {
    rules.add("WORKSPACE_ROW_TENANT_ONLY_PERMISSION");
  }
  return rules.size > 0 ? { outcome: "rule", rules } : { outcome: "ok" };
}

describe(`roles: random definitions (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let catalog: Map<string, Permission>;
  let workspaceIds: Set<string>;
  let foreignWs: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    const b = await t.createTenant();
    foreignWs = (await b.admin.workspaces.create({ slug: "elsewhere", name: "Elsewhere" })).id;
    const ids: string[] = [];
    for (const slug of ["one", "two", "three"])
      ids.push((await a.admin.workspaces.create({ slug, name: slug })).id);
    workspaceIds = new Set(ids);
    catalog = new Map((await a.admin.permissions.list()).items.map((p) => [p.key, p]));
  });
  afterAll(() => t.close());

  const snapshot = async () => ({
    roles: await t.db.kysely
      .selectFrom("roles")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .orderBy("id")
      .execute(),
    rows: await t.db.kysely
      .selectFrom("role_workspaces")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .orderBy("role_id")
      .orderBy("workspace_id")
      .execute(),
  });

  it("accepts exactly the definitions that keep every invariant, and refusals change nothing", async () => {
    const keys = [...catalog.keys()];
    const workspaceScoped = keys.filter((k) => catalog.get(k)!.scope === "tenant+workspace");
    const key = fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...keys) },
      { weight: 1, arbitrary: fc.constant("ghost.key") },
    );
    const rowKeys = fc.oneof(fc.subarray(workspaceScoped, { maxLength: 4 }), fc.array(key, { maxLength: 3 }));
    const row = fc.record({
      workspaceId: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...workspaceIds) },
        { weight: 1, arbitrary: fc.constant(foreignWs) },
      ),
      permissions: rowKeys,
      collaborator: fc.boolean(),
    });
    const definition = fc.record({
      permissions: fc.oneof(fc.array(key, { maxLength: 4 }), fc.constant([] as string[])),
      // A tenant-level collaborator forbids rows, so keep it rarer to reach the row rules too.
      collaborator: fc.oneof(
        { weight: 1, arbitrary: fc.constant(true) },
        { weight: 3, arbitrary: fc.constant(false) },
      ),
      workspaces: fc.array(row, { maxLength: 3 }),
    });
    let n = 0;
    const seen = { ok: 0, rule: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(definition, async (d) => {
        n += 1;
        const verdict = judge(catalog, workspaceIds, d);
        seen[verdict.outcome] += 1;
        const before = await snapshot();
        const name = `Random ${n}`;
        if (verdict.outcome === "ok") {
          const role = await a.admin.roles.create({ name, ...d });
          const stored = await a.admin.roles.get(role.id);
          expect(stored).toEqual(role);
          expect(judge(catalog, workspaceIds, stored).outcome).toBe("ok");
          expect(new Set(stored.permissions)).toEqual(new Set(d.permissions));
          expect(stored.workspaces.map((w) => w.workspaceId).sort()).toEqual(
            d.workspaces.map((w) => w.workspaceId).sort(),
          );
          return;
        }
        const p = await problemOf(() => a.admin.roles.create({ name, ...d }));
        if (verdict.outcome === "invalid") {
          expect(p.code).toBe("VALIDATION_FAILED");
        } else {
          expect(p.code).toBe("ROLE_RULE_VIOLATED");
          expect(verdict.rules.has(p.problem.rule as string)).toBe(true);
          expect(new Set(p.problem.rules as string[])).toEqual(verdict.rules);
        }
        expect(await snapshot()).toEqual(before);
      }),
      { numRuns: 100 },
    );
    // The generator must exercise every branch, or the property proves little.
    expect(seen.ok).toBeGreaterThan(5);
    expect(seen.rule).toBeGreaterThan(5);
    expect(seen.invalid).toBeGreaterThan(0);
  });
});
