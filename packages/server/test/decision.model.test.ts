/**
 * Property: for random tenants built through the API, every answer of POST /check/batch equals an
 * independent, plainly written reference model of PRODUCT.md §3.
 *
 * The model below deliberately shares no code with the server (nothing from core is imported):
 * it reads the catalogue (implies, scope, patientScoped, collaborator) from GET /api/v1/permissions
 * and the tenant from what this test asked the API to build.
 */
import type { CheckBody, Permission } from "@staffgate/contract";
import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, startTestApp, type TestApp } from "./harness.ts";

const RUNS = Number(
  process.env.DECISION_MODEL_RUNS ?? (process.env.STAFFGATE_TEST_DB === "postgres" ? 25 : 50),
);

// ---- what the test builds (indices into the tenant's workspaces, roles, users, patients) ----------

interface RowSpec {
  ws: number;
  perms: string[];
  collaborator: boolean;
}
interface RoleSpec {
  perms: string[];
  collaborator: boolean;
  rows: RowSpec[];
}
type Status = "active" | "inactive" | "archived" | "invited";
interface UserSpec {
  role: number;
  privateRole: RoleSpec | null;
  access: "all" | number[];
  wsRoles: { ws: number; role: number }[];
  status: Status;
  virtual: boolean;
  /** Account expiry: none, or one that has passed by the time the checks run. */
  expired: boolean;
}
interface GrantSpec {
  user: number;
  patient: number;
  ws: number | null;
  expiry: "none" | "passed" | "future";
}
/** Break-the-glass opened by a user (when its role lets it), for a patient or a workspace. */
interface EmergencySpec {
  user: number;
  patient: number | null;
  ws: number;
  /** Ended by hand before the checks. */
  ended: boolean;
}
interface TenantSpec {
  workspaces: number;
  roles: RoleSpec[];
  users: UserSpec[];
  grants: GrantSpec[];
  emergencies: EmergencySpec[];
  /** After everything else: replace one role's grants (a change the next check must see). */
  edit: { role: number; spec: RoleSpec } | null;
}

// ---- the reference model of PRODUCT.md §3 --------------------------------------------------------

interface ModelRole {
  perms: string[];
  collaborator: boolean;
  rows: Map<string, { perms: string[]; collaborator: boolean }>;
}
interface ModelUser {
  id: string;
  active: boolean;
  virtual: boolean;
  expiresAt: string | null;
  access: "all" | Set<string>;
  role: ModelRole;
  wsRoles: Map<string, ModelRole>;
}
interface ModelGrant {
  userId: string;
  patientRef: string;
  workspaceId: string | null;
  expiresAt: string | null;
}
interface ModelEmergency {
  userId: string;
  patientRef: string | null;
  workspaceId: string | null;
  expiresAt: string;
  ended: boolean;
}
interface ModelTenant {
  workspaces: Set<string>;
  users: Map<string, ModelUser>;
  grants: ModelGrant[];
  emergencies: ModelEmergency[];
  now: string;
}

const EMERGENCY_USE = "emergency_access.use";

/** What an elevation may grant (PRODUCT.md §2, the setting's default): patient-scoped, never `forbidden`. */
const breakGlass = (p: Permission) => p.patientScoped && p.collaborator !== "forbidden";

/** Everything `keys` give, following `implies` transitively. */
function implied(catalogue: Map<string, Permission>, keys: readonly string[]): Set<string> {
  const out = new Set<string>();
  const todo = [...keys];
  while (todo.length > 0) {
    const k = todo.pop()!;
    if (out.has(k)) continue;
    out.add(k);
    for (const next of catalogue.get(k)?.implies ?? []) todo.push(next);
  }
  return out;
}

function modelAllows(
  catalogue: Map<string, Permission>,
  tenant: ModelTenant,
  q: { userId: string; permission: string; workspaceId?: string | null; patientRef?: string | null },
): boolean {
  const permission = catalogue.get(q.permission);
  if (!permission) return false;
  // 1. the user exists, is active, not expired, and (asked by an administrator) not virtual.
  const user = tenant.users.get(q.userId);
  if (!user?.active || user.virtual) return false;
  if (user.expiresAt !== null && user.expiresAt <= tenant.now) return false;
  // Tenant-only permissions ignore the workspace; one that does not exist is never overturned.
  const workspace = permission.scope === "tenant" ? null : (q.workspaceId ?? null);
  if (workspace !== null && !tenant.workspaces.has(workspace)) return false;
  const asked: Asked = { catalogue, tenant, user, permission, workspace, patientRef: q.patientRef ?? null };
  return regularAllows(asked) || emergencyAllows(asked);
}

/** A question past step 1, its workspace as it counts (none for a tenant-only permission). */
interface Asked {
  readonly catalogue: Map<string, Permission>;
  readonly tenant: ModelTenant;
  readonly user: ModelUser;
  readonly permission: Permission;
  readonly workspace: string | null;
  readonly patientRef: string | null;
}

/** Steps 2 to 5. */
function regularAllows({ catalogue, tenant, user, permission, workspace, patientRef }: Asked): boolean {
  const q = { userId: user.id, permission: permission.key, patientRef };
  // 2. the user must be active in the workspace.
  if (workspace !== null && user.access !== "all" && !user.access.has(workspace)) return false;
  // 3. the per-workspace role in that workspace, else the user's role.
  const role = (workspace !== null ? user.wsRoles.get(workspace) : undefined) ?? user.role;
  // 4. tenant-level grants first, then the workspace's row.
  let collaborator: boolean;
  if (implied(catalogue, role.perms).has(q.permission)) {
    collaborator = role.collaborator;
  } else {
    const row = workspace !== null ? role.rows.get(workspace) : undefined;
    if (!row || !implied(catalogue, row.perms).has(q.permission)) return false;
    collaborator = row.collaborator;
  }
  if (!collaborator) return true;
  // 5. collaborators: forbidden never; patient-scoped only with a live grant (and its workspace).
  if (permission.collaborator === "forbidden") return false;
  if (!permission.patientScoped) return true;
  if (!q.patientRef) return false;
  return tenant.grants.some(
    (g) =>
      g.userId === q.userId &&
      g.patientRef === q.patientRef &&
      (g.expiresAt === null || g.expiresAt > tenant.now) &&
      (g.workspaceId === null || g.workspaceId === workspace),
  );
}

/**
 * Step 6: an open elevation of the user naming this patient (or this workspace, no patient named)
 * grants the emergency set, while the user's own role still holds emergency_access.use; it reaches
 * beyond the user's workspaces (docs/decisions.md).
 */
function emergencyAllows({ catalogue, tenant, user, permission, workspace, patientRef }: Asked): boolean {
  if (!breakGlass(permission)) return false;
  if (!implied(catalogue, user.role.perms).has(EMERGENCY_USE)) return false;
  return tenant.emergencies.some(
    (e) =>
      e.userId === user.id &&
      !e.ended &&
      e.expiresAt > tenant.now &&
      (e.patientRef !== null ? e.patientRef === patientRef : e.workspaceId === workspace),
  );
}

// ---- the test -----------------------------------------------------------------------------------

describe(`decisions against the reference model (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let catalogue: Map<string, Permission>;
  let keys: string[];

  beforeAll(async () => {
    t = await startTestApp();
    const probe = await t.createTenant();
    const items = (await probe.admin.permissions.list()).items;
    catalogue = new Map(items.map((p) => [p.key, p]));
    keys = items.map((p) => p.key);
  });
  afterAll(() => t.close());

  /** Drops what the roles API would refuse (PRODUCT.md §2 invariants), so every role is accepted. */
  function sanitize(spec: RoleSpec, workspaces: number): RoleSpec {
    const some = (k: string, test: (p: Permission) => boolean) =>
      [...implied(catalogue, [k])].some((x) => test(catalogue.get(x)!));
    const seen = new Set<number>();
    const rows = spec.collaborator
      ? []
      : spec.rows
          .filter((r) => r.ws < workspaces && !seen.has(r.ws) && seen.add(r.ws))
          .map((r) => ({
            ...r,
            perms: r.perms.filter(
              (k) =>
                !some(k, (p) => p.scope === "tenant") &&
                !(r.collaborator && some(k, (p) => p.collaborator === "forbidden")),
            ),
          }));
    let perms = spec.perms;
    if (rows.some((r) => r.collaborator))
      perms = perms.filter((k) => !some(k, (p) => p.patientScoped || p.collaborator === "forbidden"));
    if (spec.collaborator) perms = perms.filter((k) => !some(k, (p) => p.collaborator === "forbidden"));
    return { perms, collaborator: spec.collaborator, rows };
  }

  const tenantArb = (): fc.Arbitrary<TenantSpec> => {
    const perms = fc.subarray(keys, { maxLength: 5 });
    // One role in three may open emergency access (a random subset of 5 would rarely hold it).
    const rolePerms = fc
      .tuple(perms, fc.nat(2))
      .map(([p, n]) => (n === 0 && !p.includes(EMERGENCY_USE) ? [...p, EMERGENCY_USE] : p));
    const role = fc.record({
      perms: rolePerms,
      collaborator: fc.boolean(),
      rows: fc.array(fc.record({ ws: fc.nat(2), perms, collaborator: fc.boolean() }), { maxLength: 3 }),
    });
    const user = fc.record({
      role: fc.nat(4),
      privateRole: fc.option(role, { freq: 4 }),
      access: fc.oneof(fc.constant("all" as const), fc.uniqueArray(fc.nat(2), { maxLength: 3 })),
      wsRoles: fc.array(fc.record({ ws: fc.nat(2), role: fc.nat(4) }), { maxLength: 2 }),
      status: fc.constantFrom<Status>(
        "active",
        "active",
        "active",
        "active",
        "inactive",
        "archived",
        "invited",
      ),
      virtual: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
      expired: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    });
    return fc.record({
      workspaces: fc.integer({ min: 1, max: 3 }),
      roles: fc.array(role, { minLength: 1, maxLength: 5 }),
      users: fc.array(user, { minLength: 2, maxLength: 7 }),
      grants: fc.array(
        fc.record({
          user: fc.nat(6),
          patient: fc.nat(2),
          ws: fc.option(fc.nat(2)),
          expiry: fc.constantFrom("none", "none", "passed", "future"),
        }),
        { maxLength: 12 },
      ),
      emergencies: fc.array(
        fc.record({
          user: fc.nat(6),
          patient: fc.option(fc.nat(2)),
          ws: fc.nat(2),
          ended: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
        }),
        { maxLength: 4 },
      ),
      edit: fc.option(fc.record({ role: fc.nat(4), spec: role }), { freq: 2 }),
    }) as fc.Arbitrary<TenantSpec>;
  };

  let answers = 0;
  let allowedAnswers = 0;
  let emergencyAnswers = 0;

  it(`agrees with check/batch on every (user, permission, workspace, patient) of random tenants (${RUNS} tenants)`, async () => {
    await fc.assert(
      fc.asyncProperty(tenantArb(), async (spec) => {
        const tenant = await t.createTenant();
        const api = tenant.admin;
        const ws: string[] = [];
        for (let i = 0; i < spec.workspaces; i++) {
          ws.push((await api.workspaces.create({ slug: `w${i}`, name: `W${i}` })).id);
        }
        const toModelRole = (r: RoleSpec): ModelRole => ({
          perms: r.perms,
          collaborator: r.collaborator,
          rows: new Map(
            r.rows.map((row) => [ws[row.ws]!, { perms: row.perms, collaborator: row.collaborator }]),
          ),
        });
        const body = (r: RoleSpec) => ({
          permissions: r.perms,
          collaborator: r.collaborator,
          workspaces: r.rows.map((row) => ({
            workspaceId: ws[row.ws]!,
            permissions: row.perms,
            collaborator: row.collaborator,
          })),
        });
        const roles: { id: string; model: ModelRole }[] = [];
        for (const [i, raw] of spec.roles.entries()) {
          const r = sanitize(raw, spec.workspaces);
          roles.push({
            id: (await api.roles.create({ name: `R${i}`, ...body(r) })).id,
            model: toModelRole(r),
          });
        }
        const roleAt = (i: number) => roles[i % roles.length]!;
        const now = () => t.clock.now().getTime();
        const users: ModelUser[] = [];
        const userSpecs: UserSpec[] = [];
        for (const [i, u] of spec.users.entries()) {
          const access =
            u.access === "all" ? ("all" as const) : u.access.filter((w) => w < ws.length).map((w) => ws[w]!);
          const wsRoles = new Map<string, ModelRole>();
          const assignments: { workspaceId: string; roleId: string }[] = [];
          for (const a of u.wsRoles) {
            if (a.ws >= ws.length || wsRoles.has(ws[a.ws]!)) continue;
            wsRoles.set(ws[a.ws]!, roleAt(a.role).model);
            assignments.push({ workspaceId: ws[a.ws]!, roleId: roleAt(a.role).id });
          }
          const expiresAt = u.expired ? new Date(now() + 60_000).toISOString() : null;
          const created = await api.users.create({
            username: `u${i}`,
            email: `u${i}@${tenant.slug}.example`,
            firstName: "Model",
            lastName: `User${i}`,
            roleId: roleAt(u.role).id,
            workspaceAccess: access,
            workspaceRoles: assignments,
            expiresAt,
            ...(u.virtual ? { virtual: true } : {}),
            ...(u.status !== "invited" && !u.virtual
              ? { password: CANARY_PASSWORD, mustChangePassword: false }
              : {}),
          } as never);
          let role = roleAt(u.role).model;
          if (u.privateRole) {
            const r = sanitize(u.privateRole, spec.workspaces);
            await api.userActions.setPermissions(created.id, body(r));
            role = toModelRole(r);
          }
          users.push({
            id: created.id,
            active: created.status === "active",
            virtual: created.virtual,
            expiresAt,
            access: access === "all" ? "all" : new Set(access),
            role,
            wsRoles,
          });
          userSpecs.push(u);
        }
        // Patient grants, made while every user is still as created.
        const patients = ["PX-0", "PX-1", "PX-2"];
        const grants: ModelGrant[] = [];
        for (const g of spec.grants) {
          const user = users[g.user % users.length]!;
          const workspaceId = g.ws !== null && g.ws < ws.length ? ws[g.ws]! : null;
          const expiresAt =
            g.expiry === "none"
              ? null
              : new Date(now() + (g.expiry === "passed" ? 60_000 : 3_600_000)).toISOString();
          const grant = await api.patientAccess.grant(patients[g.patient]!, {
            userId: user.id,
            workspaceId,
            expiresAt,
            reason: "model",
          });
          // Granting the same (user, patient, workspace) again refreshes the one grant.
          const same = grants.findIndex(
            (x) =>
              x.userId === user.id && x.patientRef === patients[g.patient] && x.workspaceId === workspaceId,
          );
          const fact = {
            userId: user.id,
            patientRef: patients[g.patient]!,
            workspaceId,
            expiresAt: grant.expiresAt,
          };
          if (same >= 0) grants[same] = fact;
          else grants.push(fact);
        }
        // Emergency access, opened by those whose role lets them (with their password), before
        // the status changes and the role edit that may take it away.
        const emergencies: ModelEmergency[] = [];
        for (const e of spec.emergencies) {
          const i = e.user % users.length;
          const m = users[i]!;
          if (!m.active || m.virtual || !implied(catalogue, m.role.perms).has(EMERGENCY_USE)) continue;
          const patientRef = e.patient !== null ? patients[e.patient]! : null;
          const workspaceId = patientRef === null ? ws[e.ws % ws.length]! : null;
          const person = await t.signIn(tenant.slug, `u${i}`);
          const opened = await person.emergencyAccess.open({
            reason: "model",
            password: CANARY_PASSWORD,
            ...(patientRef ? { patientRef } : { workspaceId: workspaceId! }),
          });
          if (e.ended) await api.emergencyAccess.end(opened.id);
          emergencies.push({
            userId: m.id,
            patientRef,
            workspaceId,
            expiresAt: opened.expiresAt,
            ended: e.ended,
          });
        }
        // Then the status changes.
        for (const [i, u] of userSpecs.entries()) {
          const m = users[i]!;
          if (!m.active) continue;
          if (u.status === "inactive") await api.userActions.deactivate(m.id);
          if (u.status === "archived") await api.userActions.archive(m.id);
          if (u.status === "inactive" || u.status === "archived") m.active = false;
        }
        if (spec.edit) {
          const target = roleAt(spec.edit.role);
          const r = sanitize(spec.edit.spec, spec.workspaces);
          await api.roles.update(target.id, body(r));
          // Every user holding it (as role or per-workspace role) sees the new grants.
          const fresh = toModelRole(r);
          for (const [i, u] of userSpecs.entries()) {
            const m = users[i]!;
            if (!u.privateRole && roleAt(u.role).id === target.id) m.role = fresh;
            for (const a of u.wsRoles) {
              const w = ws[a.ws];
              if (w && m.wsRoles.get(w) === target.model) m.wsRoles.set(w, fresh);
            }
          }
          target.model = fresh;
        }
        // Two minutes on: the "passed" grants and account expiries are now in the past.
        t.clock.advance(120_000);
        const model: ModelTenant = {
          workspaces: new Set(ws),
          users: new Map(users.map((u) => [u.id, u])),
          grants,
          emergencies,
          now: t.clock.now().toISOString(),
        };

        const queries: CheckBody[] = [];
        const places: (string | null)[] = [null, ...ws, "wsp_not_here"];
        const subjects = [...users.map((u) => u.id), tenant.adminUserId, "usr_nobody"];
        model.users.set(tenant.adminUserId, {
          id: tenant.adminUserId,
          active: true,
          virtual: false,
          expiresAt: null,
          access: "all",
          role: { perms: keys, collaborator: false, rows: new Map() },
          wsRoles: new Map(),
        });
        for (const userId of subjects) {
          for (const permission of [...keys, "no.such_permission"]) {
            for (const workspaceId of places) {
              for (const patientRef of [null, ...patients]) {
                queries.push({
                  userId,
                  permission,
                  ...(workspaceId ? { workspaceId } : {}),
                  ...(patientRef ? { patientRef } : {}),
                });
              }
            }
          }
        }
        for (let i = 0; i < queries.length; i += 1000) {
          const chunk = queries.slice(i, i + 1000);
          const { results } = await api.access.checkBatch(chunk);
          expect(results).toHaveLength(chunk.length);
          results.forEach((r, j) => {
            const q = chunk[j]!;
            const expected = modelAllows(catalogue, model, q);
            if (r.allowed !== expected) {
              throw new Error(
                `check ${JSON.stringify(q)} answered ${r.allowed} (${r.reason.code}: ${r.reason.message}); the model says ${expected}`,
              );
            }
            answers += 1;
            if (expected) allowedAnswers += 1;
            if (r.reason.code === "EMERGENCY_ACCESS") emergencyAnswers += 1;
          });
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Thousands of answers, and a fair share of both kinds.
    expect(answers).toBeGreaterThan(RUNS * 500);
    expect(allowedAnswers).toBeGreaterThan(answers / 20);
    expect(answers - allowedAnswers).toBeGreaterThan(answers / 4);
    // Step 6 was reached: some answers rest on an open elevation alone.
    expect(emergencyAnswers).toBeGreaterThan(0);
  }, 120_000);
});
