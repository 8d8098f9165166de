import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogs } from "../catalog/catalogs.ts";
import { DEFAULT_SETTINGS } from "../tenants/settings.rules.ts";
import { decide } from "./decision.rules.ts";
import { applyDelta } from "./policy-delta.ts";
import type { LoadedUser, PolicySnapshot, SnapshotRole } from "./policy-snapshot.ts";
import { decideFromSnapshot } from "./snapshot-decide.ts";

const catalog = loadCatalogs().get("radiotherapy")!;
const NOW = "2026-06-01T12:00:00.000Z";
const WORKSPACES = ["wsp_a", "wsp_b", "wsp_c"];
const PERMISSIONS = [...catalog.byKey.keys()];

const role = (id: string, over: Partial<SnapshotRole> = {}): SnapshotRole => ({
  id,
  kind: "formal",
  name: id,
  privateUserId: null,
  permissions: [],
  collaborator: false,
  workspaces: [],
  ...over,
});

function emptySnapshot(roles: SnapshotRole[]): PolicySnapshot {
  return {
    tenantId: "ten_t",
    version: 1,
    auditSeq: 0,
    catalog,
    settings: DEFAULT_SETTINGS,
    settingsJson: "{}",
    workspaces: new Set(WORKSPACES),
    roles: new Map(roles.map((r) => [r.id, r])),
    users: new Map(),
    emergencies: new Map(),
  };
}

interface UserSpec {
  role: number;
  status: "active" | "inactive" | "invited";
  access: "all" | string[];
  wsRoles: [string, number][];
  expiresAt: string | null;
}

const loaded = (id: string, u: UserSpec, roles: SnapshotRole[]): LoadedUser => ({
  id,
  row: {
    id,
    username: id,
    status: u.status,
    virtual: 0,
    expires_at: u.expiresAt,
    role_id: roles[u.role]!.id,
    workspace_access_all: u.access === "all" ? 1 : 0,
    created_by: null,
    mfa_enrolled: 0,
  },
  workspaces: u.access === "all" ? [] : u.access,
  workspaceRoles: new Map(u.wsRoles.map(([ws, r]) => [ws, roles[r]!.id])),
});

/** What decide() answers from scratch, with no grants and no elevations. */
function reference(
  snapshot: PolicySnapshot,
  q: { userId: string; permission: string; workspaceId?: string },
) {
  return decide(
    {
      catalog,
      now: NOW,
      user: snapshot.users.get(q.userId)?.decision,
      viaApiToken: false,
      ...(q.workspaceId ? { workspaceExists: snapshot.workspaces.has(q.workspaceId) } : {}),
      patientGrants: [],
      emergencies: [],
    },
    q,
    { steps: false },
  );
}

const roleArb = (id: string) =>
  fc
    .record({
      permissions: fc.subarray(PERMISSIONS, { maxLength: 4 }),
      collaborator: fc.boolean(),
      rows: fc.array(
        fc.record({
          workspaceId: fc.constantFrom(...WORKSPACES),
          permissions: fc.subarray(PERMISSIONS, { maxLength: 3 }),
          collaborator: fc.boolean(),
        }),
        { maxLength: 2 },
      ),
    })
    .map((r) => role(id, { permissions: r.permissions, collaborator: r.collaborator, workspaces: r.rows }));

const userArb = fc.record({
  role: fc.nat(2),
  status: fc.constantFrom("active", "active", "inactive", "invited") as fc.Arbitrary<UserSpec["status"]>,
  access: fc.oneof(fc.constant("all" as const), fc.subarray(WORKSPACES)),
  wsRoles: fc.array(fc.tuple(fc.constantFrom(...WORKSPACES), fc.nat(2)), { maxLength: 2 }),
  expiresAt: fc.constantFrom(null, null, "2027-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"),
});

describe("decideFromSnapshot()", () => {
  it("answers as decide() does, for users that share access profiles and users that do not", async () => {
    await fc.assert(
      fc.property(
        fc.tuple(roleArb("rol_0"), roleArb("rol_1"), roleArb("rol_2")),
        fc.array(userArb, { minLength: 1, maxLength: 8 }),
        fc.array(
          fc.record({
            user: fc.nat(7),
            permission: fc.constantFrom(...PERMISSIONS, "no.such"),
            workspaceId: fc.constantFrom(undefined, ...WORKSPACES, "wsp_gone"),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (roles, users, asks) => {
          const snapshot = emptySnapshot(roles);
          // Every user twice: the second of each pair shares the first one's profile.
          const specs = users.flatMap((u, i) => [
            [`usr_${i}`, u],
            [`usr_${i}_twin`, u],
          ]) as [string, UserSpec][];
          applyDelta(snapshot, { users: specs.map(([id, u]) => loaded(id, u, roles)), roles: new Map() });
          for (const ask of [...asks, ...asks]) {
            const [id] = specs[(ask.user * 2 + (ask.user % 2)) % specs.length]!;
            const q = {
              userId: id,
              permission: ask.permission,
              ...(ask.workspaceId ? { workspaceId: ask.workspaceId } : {}),
            };
            const fast = decideFromSnapshot(snapshot, q, NOW);
            if (fast) expect(fast).toEqual(reference(snapshot, q));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("answers as decide() does after every change: the very next decision sees a changed user or role", async () => {
    const change = fc.oneof(
      fc.record({ kind: fc.constant("role" as const), at: fc.nat(2), role: roleArb("rol_x") }),
      fc.record({ kind: fc.constant("user" as const), at: fc.nat(7), user: userArb }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(7) }),
    );
    const ask = fc.record({
      user: fc.nat(7),
      permission: fc.constantFrom(...PERMISSIONS),
      workspaceId: fc.constantFrom(undefined, ...WORKSPACES),
    });
    await fc.assert(
      fc.property(
        fc.tuple(roleArb("rol_0"), roleArb("rol_1"), roleArb("rol_2")),
        fc.array(userArb, { minLength: 8, maxLength: 8 }),
        fc.array(fc.tuple(fc.array(ask, { maxLength: 12 }), change), { minLength: 1, maxLength: 8 }),
        fc.array(ask, { maxLength: 12 }),
        (initial, users, steps, last) => {
          const roles = [...initial];
          const snapshot = emptySnapshot(roles);
          applyDelta(snapshot, {
            users: users.map((u, i) => loaded(`usr_${i}`, u, roles)),
            roles: new Map(),
          });
          const check = (asks: (typeof last)[number][]) => {
            for (const a of asks) {
              const q = {
                userId: `usr_${a.user}`,
                permission: a.permission,
                ...(a.workspaceId ? { workspaceId: a.workspaceId } : {}),
              };
              const fast = decideFromSnapshot(snapshot, q, NOW);
              const su = snapshot.users.get(q.userId);
              const expired = su?.status === "active" && su.expiresAt !== null && su.expiresAt <= NOW;
              if (su === undefined || expired) expect(fast).toBeUndefined();
              else expect(fast).toEqual(reference(snapshot, q));
            }
          };
          for (const [asks, c] of steps) {
            check(asks);
            if (c.kind === "role") {
              // Replaced under the same id, as policy-cache.ts does after a role change.
              roles[c.at] = { ...c.role, id: roles[c.at]!.id, name: roles[c.at]!.id };
              applyDelta(snapshot, { users: [], roles: new Map([[roles[c.at]!.id, roles[c.at]!]]) });
            } else if (c.kind === "user") {
              applyDelta(snapshot, { users: [loaded(`usr_${c.at}`, c.user, roles)], roles: new Map() });
            } else {
              applyDelta(snapshot, {
                users: [{ ...loaded(`usr_${c.at}`, users[0]!, roles), row: undefined }],
                roles: new Map(),
              });
            }
          }
          check(last);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("shares one memo between users of one profile, and starts a new one when a role changes", () => {
    const roles = [
      role("rol_0", { permissions: ["patients.read"] }),
      role("rol_1", { permissions: ["collections.read"] }),
    ];
    const snapshot = emptySnapshot(roles);
    const spec: UserSpec = { role: 0, status: "active", access: "all", wsRoles: [], expiresAt: null };
    applyDelta(snapshot, {
      users: [
        loaded("usr_a", spec, roles),
        loaded("usr_b", spec, roles),
        loaded("usr_c", { ...spec, wsRoles: [["wsp_a", 1]] }, roles),
      ],
      roles: new Map(),
    });
    const ask = (userId: string, permission = "patients.read", workspaceId = "wsp_a") =>
      decideFromSnapshot(snapshot, { userId, permission, workspaceId }, NOW)!;
    expect(ask("usr_a").allowed).toBe(true);
    expect(ask("usr_b")).toBe(ask("usr_a"));
    // A per-workspace role is part of the profile.
    expect(ask("usr_c").allowed).toBe(false);
    expect(ask("usr_c", "collections.read").allowed).toBe(true);

    // The role is replaced (as policy-cache.ts does after a change): the next answer sees it.
    const changed = role("rol_0", { permissions: ["collections.read"] });
    applyDelta(snapshot, { users: [], roles: new Map([["rol_0", changed]]) });
    expect(ask("usr_a").allowed).toBe(false);
    expect(ask("usr_b").allowed).toBe(false);
    expect(ask("usr_a", "collections.read").reason).toMatchObject({ code: "GRANTED_TENANT" });
    expect(ask("usr_c").allowed).toBe(false);
    // A per-workspace role replaced under the same id is a new profile too.
    const changedWs = role("rol_1", { permissions: ["patients.read"] });
    applyDelta(snapshot, { users: [], roles: new Map([["rol_1", changedWs]]) });
    expect(ask("usr_c").allowed).toBe(true);
    expect(ask("usr_c", "collections.read").allowed).toBe(false);
  });

  it("leaves expired and virtual users, elevations and unknown workspaces to the full path", () => {
    const roles = [role("rol_0", { permissions: ["patients.read"] })];
    const snapshot = emptySnapshot(roles);
    const spec: UserSpec = { role: 0, status: "active", access: "all", wsRoles: [], expiresAt: null };
    const virtual = loaded("usr_v", spec, roles);
    applyDelta(snapshot, {
      users: [
        loaded("usr_a", spec, roles),
        loaded("usr_x", { ...spec, expiresAt: NOW }, roles),
        { ...virtual, row: { ...virtual.row!, virtual: 1 } },
      ],
      roles: new Map(),
    });
    const ask = (userId: string, workspaceId?: string) =>
      decideFromSnapshot(snapshot, { userId, permission: "patients.read", workspaceId }, NOW);
    expect(ask("usr_a")?.allowed).toBe(true);
    expect(ask("usr_x")).toBeUndefined();
    expect(ask("usr_v")).toBeUndefined();
    expect(ask("usr_nobody")).toBeUndefined();
    expect(ask("usr_a", "wsp_gone")).toBeUndefined();
    snapshot.emergencies = new Map([["usr_a", []]]);
    expect(ask("usr_a")).toBeUndefined();
  });

  it("answers a virtual user that is not active (decide() denies before asking how it acts)", () => {
    const roles = [role("rol_0", { permissions: ["patients.read"] })];
    const snapshot = emptySnapshot(roles);
    const spec: UserSpec = { role: 0, status: "inactive", access: "all", wsRoles: [], expiresAt: null };
    const virtual = loaded("usr_v", spec, roles);
    applyDelta(snapshot, { users: [{ ...virtual, row: { ...virtual.row!, virtual: 1 } }], roles: new Map() });
    const q = { userId: "usr_v", permission: "patients.read", workspaceId: "wsp_a" };
    expect(decideFromSnapshot(snapshot, q, NOW)).toEqual(reference(snapshot, q));
    expect(decideFromSnapshot(snapshot, q, NOW)?.reason.code).toBe("USER_NOT_ACTIVE");
    // Activated: now the answer depends on the caller (an API token or not), so the full path.
    applyDelta(snapshot, {
      users: [{ ...virtual, row: { ...virtual.row!, virtual: 1, status: "active" } }],
      roles: new Map(),
    });
    expect(decideFromSnapshot(snapshot, q, NOW)).toBeUndefined();
  });

  it("checks an expiring user's expiry on every decision", () => {
    const roles = [role("rol_0", { permissions: ["patients.read"] })];
    const snapshot = emptySnapshot(roles);
    const spec: UserSpec = {
      role: 0,
      status: "active",
      access: "all",
      wsRoles: [],
      expiresAt: "2026-06-01T13:00:00.000Z",
    };
    applyDelta(snapshot, { users: [loaded("usr_e", spec, roles)], roles: new Map() });
    const q = { userId: "usr_e", permission: "patients.read" };
    expect(decideFromSnapshot(snapshot, q, NOW)?.allowed).toBe(true);
    expect(decideFromSnapshot(snapshot, q, "2026-06-01T13:00:00.000Z")).toBeUndefined();
  });

  it("sees a user's change (status, workspaces, per-workspace role, removal) on the very next decision", () => {
    const roles = [
      role("rol_0", { permissions: ["patients.read"] }),
      role("rol_1", { permissions: ["collections.read"] }),
    ];
    const snapshot = emptySnapshot(roles);
    const spec: UserSpec = { role: 0, status: "active", access: "all", wsRoles: [], expiresAt: null };
    applyDelta(snapshot, {
      users: [loaded("usr_a", spec, roles), loaded("usr_b", spec, roles)],
      roles: new Map(),
    });
    const put = (u: UserSpec) =>
      applyDelta(snapshot, { users: [loaded("usr_a", u, roles)], roles: new Map() });
    const ask = (userId = "usr_a", permission = "patients.read") =>
      decideFromSnapshot(snapshot, { userId, permission, workspaceId: "wsp_a" }, NOW);
    expect(ask()?.reason.code).toBe("GRANTED_TENANT");
    put({ ...spec, access: ["wsp_b"] });
    expect(ask()?.reason.code).toBe("WORKSPACE_INACTIVE");
    put({ ...spec, wsRoles: [["wsp_a", 1]] });
    expect(ask()?.reason.code).toBe("NOT_GRANTED");
    expect(ask("usr_a", "collections.read")?.reason).toMatchObject({
      code: "GRANTED_TENANT",
      roleKind: "workspace",
    });
    put({ ...spec, status: "inactive" });
    expect(ask()?.reason.code).toBe("USER_NOT_ACTIVE");
    put(spec);
    expect(ask()?.reason.code).toBe("GRANTED_TENANT");
    applyDelta(snapshot, { users: [{ ...loaded("usr_a", spec, roles), row: undefined }], roles: new Map() });
    expect(ask()).toBeUndefined();
    // The other user of the same profile was never affected.
    expect(ask("usr_b")?.reason.code).toBe("GRANTED_TENANT");
  });

  it("answers a tenant-only permission asked in a workspace as decide() does: the workspace is ignored", () => {
    const tenantOnly = catalog.permissions.find((p) => p.scope === "tenant")!.key;
    const roles = [role("rol_0", { permissions: [tenantOnly] })];
    const snapshot = emptySnapshot(roles);
    const spec: UserSpec = { role: 0, status: "active", access: ["wsp_b"], wsRoles: [], expiresAt: null };
    applyDelta(snapshot, { users: [loaded("usr_a", spec, roles)], roles: new Map() });
    for (const workspaceId of [undefined, "wsp_a", "wsp_b", "wsp_gone"]) {
      const q = { userId: "usr_a", permission: tenantOnly, ...(workspaceId ? { workspaceId } : {}) };
      expect(decideFromSnapshot(snapshot, q, NOW)).toEqual(reference(snapshot, q));
      expect(decideFromSnapshot(snapshot, q, NOW)?.allowed).toBe(true);
    }
  });
});
