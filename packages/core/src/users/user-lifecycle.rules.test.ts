import { describe, expect, it } from "vitest";
import type { Holder, RoleGrants } from "../access/grants.rules.ts";
import { buildCatalog } from "../catalog/catalog.rules.ts";
import {
  decideTransition,
  describeExcess,
  excessOfTarget,
  type LifecycleAction,
  type LifecycleState,
  type UserStatus,
} from "./user-lifecycle.rules.ts";

const NOW = "2026-06-01T12:00:00.000Z";
const PAST = "2026-05-01T00:00:00.000Z";
const FUTURE = "2026-12-31T00:00:00.000Z";

const state = (status: UserStatus, extra: Partial<LifecycleState> = {}): LifecycleState => ({
  status,
  archivedFrom: null,
  expiresAt: null,
  ...extra,
});

describe("decideTransition", () => {
  const legal: [UserStatus, LifecycleAction, UserStatus][] = [
    ["invited", "activate", "active"],
    ["active", "deactivate", "inactive"],
    ["inactive", "reactivate", "active"],
    ["invited", "archive", "archived"],
    ["active", "archive", "archived"],
    ["inactive", "archive", "archived"],
    ["invited", "deactivate", "inactive"],
  ];
  it.each(legal)("%s --%s--> %s", (from, action, to) => {
    const d = decideTransition(state(from), action, { now: NOW });
    expect(d).toMatchObject({ ok: true, status: to });
  });

  const illegal: [UserStatus, LifecycleAction][] = [
    ["active", "activate"],
    ["inactive", "activate"],
    ["archived", "activate"],
    ["inactive", "deactivate"],
    ["archived", "deactivate"],
    ["invited", "reactivate"],
    ["active", "reactivate"],
    ["archived", "reactivate"],
    ["archived", "archive"],
    ["invited", "restore"],
    ["active", "restore"],
    ["inactive", "restore"],
  ];
  it.each(illegal)("refuses %s --%s--> with USER_STATE_INVALID", (from, action) => {
    expect(decideTransition(state(from), action, { now: NOW })).toMatchObject({
      ok: false,
      code: "USER_STATE_INVALID",
    });
  });

  it("ends access on every transition that leaves the user unable to sign in", () => {
    expect(decideTransition(state("active"), "deactivate", { now: NOW })).toMatchObject({ endsAccess: true });
    expect(decideTransition(state("active"), "archive", { now: NOW })).toMatchObject({ endsAccess: true });
    expect(decideTransition(state("inactive"), "reactivate", { now: NOW })).toMatchObject({
      endsAccess: false,
    });
  });

  it("a deactivated invited user is invited again when reactivated; any other is active", () => {
    const off = decideTransition(state("invited"), "deactivate", { now: NOW });
    expect(off).toMatchObject({ ok: true, status: "inactive", archivedFrom: "invited", endsAccess: true });
    const back = decideTransition(state("inactive", { archivedFrom: "invited" }), "reactivate", { now: NOW });
    expect(back).toMatchObject({ ok: true, status: "invited", archivedFrom: null });
    expect(decideTransition(state("inactive"), "reactivate", { now: NOW })).toMatchObject({
      status: "active",
    });
  });

  it("archiving remembers the status it left; restoring makes the user active (invited stays invited)", () => {
    for (const [from, to] of [
      ["invited", "invited"],
      ["active", "active"],
      ["inactive", "active"],
    ] as const) {
      const archived = decideTransition(state(from), "archive", { now: NOW });
      expect(archived).toMatchObject({ ok: true, archivedFrom: from });
      const restored = decideTransition(state("archived", { archivedFrom: from }), "restore", { now: NOW });
      expect(restored).toMatchObject({
        ok: true,
        status: to,
        archivedFrom: null,
        endsAccess: to !== "active",
      });
    }
  });

  it("restores to active when the prior status is unknown", () => {
    expect(decideTransition(state("archived"), "restore", { now: NOW })).toMatchObject({ status: "active" });
    expect(
      decideTransition(state("archived", { archivedFrom: "archived" }), "restore", { now: NOW }),
    ).toMatchObject({ status: "active" });
  });

  it("refuses to restore an expired account unless a new future expiry or none is given", () => {
    const expired = state("archived", { archivedFrom: "active", expiresAt: PAST });
    expect(decideTransition(expired, "restore", { now: NOW })).toMatchObject({
      ok: false,
      code: "USER_EXPIRED",
    });
    expect(decideTransition(expired, "restore", { now: NOW, newExpiresAt: FUTURE })).toMatchObject({
      ok: true,
      expiresAt: FUTURE,
    });
    expect(decideTransition(expired, "restore", { now: NOW, newExpiresAt: null })).toMatchObject({
      ok: true,
      expiresAt: null,
    });
    expect(decideTransition(expired, "restore", { now: NOW, newExpiresAt: PAST })).toMatchObject({
      ok: false,
      code: "VALIDATION_FAILED",
      path: "expiresAt",
    });
    expect(decideTransition(expired, "restore", { now: NOW, newExpiresAt: NOW })).toMatchObject({
      ok: false,
    });
  });

  it("keeps a future expiry on restore when none is given", () => {
    const s = state("archived", { archivedFrom: "active", expiresAt: FUTURE });
    expect(decideTransition(s, "restore", { now: NOW })).toMatchObject({ ok: true, expiresAt: FUTURE });
  });
});

describe("excessOfTarget", () => {
  const catalog = buildCatalog(
    {
      name: "test",
      version: "1",
      permissions: [
        { key: "reports.read", label: "r", category: "T", scope: "tenant+workspace" },
        {
          key: "reports.write",
          label: "w",
          category: "T",
          scope: "tenant+workspace",
          implies: ["reports.read"],
        },
      ],
    },
    "test",
  );
  const grants = (permissions: string[], workspaces: RoleGrants["workspaces"] = []): RoleGrants => ({
    permissions,
    collaborator: false,
    workspaces,
  });
  const holder = (role: RoleGrants, ws: [string, RoleGrants][] = []): Holder => ({
    role,
    workspaceRoles: new Map(ws),
    activeIn: "all",
  });

  it("is empty when the actor holds everything the target holds", () => {
    const actor = holder(grants(["users.manage", "reports.write"]));
    expect(excessOfTarget(catalog, actor, holder(grants(["reports.read"])))).toEqual([]);
  });

  it("names tenant-level permissions the actor lacks", () => {
    const actor = holder(grants(["users.manage"]));
    const excess = excessOfTarget(catalog, actor, holder(grants(["users.manage", "roles.manage"])));
    expect(describeExcess(excess)).toBe("roles.manage");
  });

  it("counts a per-workspace role's tenant-level keys in its workspace", () => {
    const actor = holder(
      grants(
        ["users.manage"],
        [{ workspaceId: "wsp_a", permissions: ["reports.read"], collaborator: false }],
      ),
    );
    const target = holder(grants([]), [["wsp_a", grants(["reports.write"])]]);
    expect(describeExcess(excessOfTarget(catalog, actor, target))).toBe("reports.write in wsp_a");
    const enough = holder(
      grants(
        ["users.manage"],
        [{ workspaceId: "wsp_a", permissions: ["reports.write"], collaborator: false }],
      ),
    );
    expect(excessOfTarget(catalog, enough, target)).toEqual([]);
  });
});
