import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCatalogs } from "../catalog/catalogs.ts";
import { DEFAULT_SETTINGS } from "../tenants/settings.rules.ts";
import { decide } from "./decision.rules.ts";
import { applyDelta, type LoadedUser, type PolicySnapshot, type SnapshotRole } from "./policy-snapshot.ts";
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
});
