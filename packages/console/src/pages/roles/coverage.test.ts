import { describe, expect, it } from "vitest";
import type { Role } from "../../types.ts";
import { coverageOf, notOfferedWords, offeredRoles, userExcess } from "./coverage.ts";
import type { CatalogPermission } from "./grants.ts";
import type { Reach } from "./reach.ts";

const permission = (
  key: string,
  scope: CatalogPermission["scope"] = "tenant+workspace",
): CatalogPermission => ({
  key,
  label: key,
  description: "",
  category: "Patients",
  scope,
  patientScoped: scope !== "tenant",
  collaborator: "restricted",
  implies: [],
});
const catalog = [
  permission("users.manage", "tenant"),
  permission("patients.read"),
  permission("patients.write"),
];
const reach: Reach = new Map([
  ["wsp_north", { keys: new Set(["patients.read", "patients.write"]), collaboratorKeys: new Set<string>() }],
  ["wsp_south", { keys: new Set(["patients.read"]), collaboratorKeys: new Set(["patients.write"]) }],
]);
const me = { permissions: ["users.manage", "patients.read"], workspaceRoles: [] };
const role = (over: Partial<Role>): Role => ({
  ...({ id: "rol_x", permissions: [], collaborator: false, workspaces: [] } as unknown as Role),
  ...over,
});

describe("coverageOf", () => {
  it("judges a workspace row by what the caller holds in that workspace, not at tenant level", () => {
    const coverage = coverageOf(me, catalog, reach);
    const north = { workspaceId: "wsp_north", permissions: ["patients.write"], collaborator: false };
    expect(coverage.excess({ permissions: ["users.manage"], workspaces: [north] })).toEqual([]);
    expect(coverage.excess({ permissions: ["patients.write"], workspaces: [] })).toEqual(["patients.write"]);
    // Held in south only as a collaborator: it covers a collaborator row there, not a full one.
    const south = { workspaceId: "wsp_south", permissions: ["patients.write"], collaborator: false };
    expect(coverage.excess({ permissions: [], workspaces: [south] })).toEqual(["patients.write"]);
    expect(coverage.excess({ permissions: [], workspaces: [{ ...south, collaborator: true }] })).toEqual([]);
    expect(coverage.holds("patients.write", "wsp_north")).toBe(true);
    expect(coverage.holds("patients.write", "wsp_unknown")).toBe(false);
    // Without the reach, a row is judged as at tenant level (as before the reach was read).
    expect(coverageOf(me, catalog, null).excess({ permissions: [], workspaces: [north] })).toEqual([
      "patients.write",
    ]);
  });

  it("asks a tenant-level grant to hold where the caller's own per-workspace role replaces their role", () => {
    const coverage = coverageOf({ ...me, workspaceRoles: [{ workspaceId: "wsp_east" }] }, catalog, reach);
    // In east the caller's workspace role holds nothing the reach lists: reading everywhere is beyond them.
    expect(coverage.excess({ permissions: ["patients.read", "users.manage"], workspaces: [] })).toEqual([
      "patients.read",
    ]);
  });

  it("counts what a per-workspace role grants in its workspace when judging a user", () => {
    const coverage = coverageOf(me, catalog, reach);
    const writer = role({ id: "rol_w", permissions: ["patients.write"] });
    const roles = new Map([
      ["rol_r", role({ id: "rol_r", permissions: ["patients.read"] })],
      ["rol_w", writer],
    ]);
    const user = (workspaceId: string) => ({
      roleId: "rol_r",
      privateRole: false,
      workspaceRoles: [{ workspaceId, roleId: "rol_w" }],
    });
    expect(userExcess(coverage, user("wsp_north"), roles)).toEqual([]);
    expect(userExcess(coverage, user("wsp_south"), roles)).toEqual(["patients.write"]);
  });

  it("offers the roles the caller covers (and the one a form holds), naming the others with why", () => {
    const coverage = coverageOf(me, catalog, reach);
    const reader = role({ id: "rol_r", name: "Reader", permissions: ["patients.read"] });
    const writer = role({ id: "rol_w", name: "Writer", permissions: ["patients.write"] });
    const admin = role({
      id: "rol_a",
      name: "Administrator",
      permissions: ["patients.write", "users.manage"],
    });
    const { offered, notOffered } = offeredRoles(coverage, [admin, reader, writer]);
    expect([offered.map((r) => r.name), notOffered.map((r) => r.name)]).toEqual([
      ["Reader"],
      ["Administrator", "Writer"],
    ]);
    expect(offeredRoles(coverage, [admin, reader, writer], "rol_w").offered.map((r) => r.name)).toEqual([
      "Reader",
      "Writer",
    ]);
    expect(notOfferedWords(notOffered)).toBe(
      "Not offered: Administrator, Writer. They grant permissions you do not hold, so only someone holding them can give them.",
    );
    expect(notOfferedWords(notOffered, "copy them", "Copy not offered")).toMatch(
      /^Copy not offered: Administrator, Writer\. .* can copy them\.$/,
    );
    expect(notOfferedWords([])).toBeUndefined();
  });
});
