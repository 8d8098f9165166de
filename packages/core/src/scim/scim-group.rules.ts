/**
 * A Staffgate role as a SCIM Group (RFC 7643 §4.2): its members are the people holding it as
 * their role. A user holds exactly one role, so joining a group moves the user out of the last.
 */
import { RoleName } from "@staffgate/contract";
import { GROUP_SCHEMA } from "./scim-attributes.rules.ts";
import { field, scimInvalid, scimVersion } from "./scim-user.rules.ts";

export interface ScimGroupSource {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  readonly externalId: string | null;
  readonly members: readonly { readonly id: string; readonly display: string }[];
}

export function toScimGroup(g: ScimGroupSource, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: g.id,
    ...(g.externalId !== null ? { externalId: g.externalId } : {}),
    displayName: g.name,
    members: g.members.map((m) => ({
      value: m.id,
      $ref: `${baseUrl}/Users/${m.id}`,
      display: m.display,
      type: "User",
    })),
    meta: {
      resourceType: "Group",
      created: g.createdAt,
      lastModified: g.updatedAt,
      location: `${baseUrl}/Groups/${g.id}`,
      version: scimVersion(g.version),
    },
  };
}

export interface ScimGroupInput {
  readonly displayName: string;
  readonly externalId: string | null;
  /** The member user ids, in order, without repeats. */
  readonly memberIds: readonly string[];
}

export function readScimGroup(body: Record<string, unknown>): ScimGroupInput {
  const displayName = RoleName.safeParse(field(body, "displayName"));
  if (!displayName.success) {
    throw scimInvalid("displayName", displayName.error.issues[0]?.message ?? "must be a role name");
  }
  const externalId = field(body, "externalId");
  if (externalId !== undefined && externalId !== null && typeof externalId !== "string") {
    throw scimInvalid("externalId", "must be a string");
  }
  const members = field(body, "members") ?? [];
  if (!Array.isArray(members)) throw scimInvalid("members", "must be a list");
  const ids: string[] = [];
  members.forEach((m, i) => {
    const value = m && typeof m === "object" ? field(m as Record<string, unknown>, "value") : undefined;
    if (typeof value !== "string" || value === "")
      throw scimInvalid(`members[${i}].value`, "must be a user id");
    if (!ids.includes(value)) ids.push(value);
  });
  return { displayName: displayName.data, externalId: externalId || null, memberIds: ids };
}
