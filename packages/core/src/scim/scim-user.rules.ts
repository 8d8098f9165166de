/**
 * A Staffgate user as a SCIM User (RFC 7643 §4.1, with the enterprise extension's employee
 * number), and a SCIM User body read back into Staffgate's fields. Staffgate keeps one email and
 * one phone number per user, the work ones; SCIM's lists carry them as the primary "work" entry.
 */
import { isOneLineText } from "@staffgate/contract";
import { AppError } from "../shared/errors.ts";
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from "./scim-attributes.rules.ts";

export interface ScimUserSource {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly displayName: string;
  readonly phone: string;
  readonly title: string | null;
  readonly employeeNumber: string | null;
  readonly status: "invited" | "active" | "inactive" | "archived";
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  readonly externalId: string | null;
  /** The user's formal role; none for a private role, which is no group. */
  readonly group: { readonly id: string; readonly name: string } | null;
}

/** The one `type` of email and phone number Staffgate keeps, and reports. */
export const KEPT_TYPE = "work";

/** SCIM's meta.version: a weak ETag of the resource's version. */
export function scimVersion(version: number): string {
  return `W/"${version}"`;
}

export function toScimUser(u: ScimUserSource, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: u.id,
    ...(u.externalId !== null ? { externalId: u.externalId } : {}),
    userName: u.username,
    name: { formatted: u.displayName, familyName: u.lastName, givenName: u.firstName },
    displayName: u.displayName,
    ...(u.title ? { title: u.title } : {}),
    // An invited user is enabled and waiting for its password; only a deactivated one is not active.
    active: u.status !== "inactive",
    emails: [{ value: u.email, type: KEPT_TYPE, primary: true }],
    ...(u.phone ? { phoneNumbers: [{ value: u.phone, type: KEPT_TYPE, primary: true }] } : {}),
    ...(u.group
      ? {
          groups: [
            {
              value: u.group.id,
              $ref: `${baseUrl}/Groups/${u.group.id}`,
              display: u.group.name,
              type: "direct",
            },
          ],
        }
      : {}),
    ...(u.employeeNumber ? { [ENTERPRISE_USER_SCHEMA]: { employeeNumber: u.employeeNumber } } : {}),
    meta: {
      resourceType: "User",
      created: u.createdAt,
      lastModified: u.updatedAt,
      location: `${baseUrl}/Users/${u.id}`,
      version: scimVersion(u.version),
    },
  };
}

/** What a SCIM User body says, in Staffgate's terms. */
export interface ScimUserInput {
  readonly username: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly phone: string | null;
  readonly title: string | null;
  readonly employeeNumber: string | null;
  readonly externalId: string | null;
  /**
   * Undefined when absent or null: a new user is active, an existing one keeps its state. Read as
   * true, a profile update that left `active` out turned a deprovisioned account back on (SCIM
   * audit, 2026-12-06).
   */
  readonly active: boolean | undefined;
  readonly password: string | undefined;
  /** From `groups` (read-only in SCIM, but some clients send it on create): the first one's id. */
  readonly groupId: string | undefined;
}

export function scimInvalid(path: string, message: string): AppError {
  return new AppError("SCIM_INVALID_VALUE", `${path} ${message}`, { errors: [{ path, message }] });
}

/** Attribute names are case-insensitive in SCIM (RFC 7643 §2.1). */
export function field(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function asObject(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw scimInvalid(path, "must be an object");
  return value as Record<string, unknown>;
}

function text(value: unknown, path: string, required: boolean): string | null {
  if (value === undefined || value === null || value === "") {
    if (required) throw scimInvalid(path, "is required");
    return null;
  }
  if (typeof value !== "string") throw scimInvalid(path, "must be a string");
  return value;
}

/** An identity provider's id is matched exactly and looked up by filters of at most 2,000 characters. */
export const SCIM_EXTERNAL_ID_MAX = 255;

/**
 * A new `externalId`: text on one line of at most 255 characters. It is stored, audited and
 * exported as it comes: CR/LF, BEL and bidi overrides went into the audit trail, and a
 * 200,000-character id could never be found again (input audit, 2026-12-06). Judged only when the
 * id changes (scim-write.ts), so that one stored before the rule does not block every later update
 * of its resource, deprovisioning included (found by the review).
 */
export function ensureExternalIdText(id: string): void {
  if (!isOneLineText(id))
    throw scimInvalid("externalId", "must be text on one line, without control characters");
  if ([...id].length > SCIM_EXTERNAL_ID_MAX)
    throw scimInvalid("externalId", `must be at most ${SCIM_EXTERNAL_ID_MAX} characters`);
}

/**
 * The value Staffgate keeps of an email or phone list (or of one object some clients send): among
 * the work entries and those without a type, the primary one, else the first. Entries of other
 * types (Entra sends a mobile and a fax number beside the work one) are not kept; an email is
 * required, so without a work address the primary (else the first) of any type is kept.
 */
function keptValue(value: unknown, path: string, required: boolean): string | null {
  if (value === undefined || value === null) return text(undefined, path, required);
  const list = Array.isArray(value) ? value : [value];
  const entries = list.map((e, i) => asObject(e, `${path}[${i}]`) ?? {});
  // `primary` is a boolean (or Azure AD's "True"/"False"); anything else is refused, not read as false.
  const primary = entries.map((e, i) => {
    const p = field(e, "primary");
    return p !== undefined && p !== null && scimBoolean(p, `${path}[${i}].primary`);
  });
  // A type is text (or absent): `{}`, `5` or a nested list was taken for "not work" (input audit).
  entries.forEach((e, i) => {
    const t = field(e, "type");
    if (t !== undefined && t !== null && typeof t !== "string")
      throw scimInvalid(`${path}[${i}].type`, "must be a string");
  });
  const type = (e: Record<string, unknown>) => field(e, "type");
  const work = entries.filter((e) => {
    const t = type(e);
    return t === undefined || t === null || (typeof t === "string" && t.toLowerCase() === KEPT_TYPE);
  });
  const pick = (among: Record<string, unknown>[]) =>
    among.find((e) => primary[entries.indexOf(e)]) ?? among[0];
  const chosen = pick(work) ?? (required ? pick(entries) : undefined);
  return text(chosen === undefined ? undefined : field(chosen, "value"), `${path}.value`, required);
}

/** Booleans, and the strings "True"/"False" that Azure AD sends. */
export function scimBoolean(value: unknown, path: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw scimInvalid(path, "must be true or false");
}

/** Reads a full User body (POST and PUT; PATCH results go through it too). */
export function readScimUser(body: Record<string, unknown>): ScimUserInput {
  const name = asObject(field(body, "name"), "name") ?? {};
  const enterprise = asObject(field(body, ENTERPRISE_USER_SCHEMA), ENTERPRISE_USER_SCHEMA) ?? {};
  const active = field(body, "active");
  const password = field(body, "password");
  const groups = field(body, "groups");
  let groupId: string | undefined;
  if (Array.isArray(groups) && groups.length > 0) {
    // One role per user: a second group would be dropped without a word, so it is refused.
    if (groups.length > 1)
      throw scimInvalid("groups", "names more than one group: a user holds exactly one role");
    groupId =
      text(field(asObject(groups[0], "groups[0]") ?? {}, "value"), "groups[0].value", true) ?? undefined;
  }
  return {
    username: text(field(body, "userName"), "userName", true)!,
    email: keptValue(field(body, "emails"), "emails", true)!,
    firstName: text(field(name, "givenName"), "name.givenName", true)!,
    lastName: text(field(name, "familyName"), "name.familyName", true)!,
    phone: keptValue(field(body, "phoneNumbers"), "phoneNumbers", false),
    title: text(field(body, "title"), "title", false),
    employeeNumber: text(
      field(enterprise, "employeeNumber"),
      `${ENTERPRISE_USER_SCHEMA}:employeeNumber`,
      false,
    ),
    externalId: text(field(body, "externalId"), "externalId", false),
    active: active === undefined || active === null ? undefined : scimBoolean(active, "active"),
    password: password === undefined || password === null ? undefined : text(password, "password", true)!,
    groupId,
  };
}

/** Staffgate's field names in errors from the user use cases, as the SCIM attributes they come from. */
export const SCIM_USER_PATHS: Readonly<Record<string, string>> = {
  username: "userName",
  email: "emails",
  firstName: "name.givenName",
  lastName: "name.familyName",
  phone: "phoneNumbers",
  title: "title",
  employeeNumber: `${ENTERPRISE_USER_SCHEMA}:employeeNumber`,
  roleId: "groups",
  password: "password",
};
