/**
 * The SCIM attributes Staffgate serves (RFC 7643 §4 and §8.7.1), in the schema format of RFC 7643
 * §7, so one definition feeds `/Schemas`, the filter's attribute lookup and PATCH's mutability.
 */

export interface ScimAttribute {
  readonly name: string;
  readonly type: "string" | "boolean" | "dateTime" | "decimal" | "integer" | "reference" | "complex";
  readonly multiValued: boolean;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: "readOnly" | "readWrite" | "immutable" | "writeOnly";
  readonly returned: "always" | "never" | "default" | "request";
  readonly uniqueness: "none" | "server" | "global";
  readonly description: string;
  readonly subAttributes?: readonly ScimAttribute[];
  readonly referenceTypes?: readonly string[];
  readonly canonicalValues?: readonly string[];
}

export interface ScimSchema {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly ScimAttribute[];
}

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

type Options = Partial<Omit<ScimAttribute, "name" | "description">>;

function attr(name: string, description: string, options: Options = {}): ScimAttribute {
  return {
    name,
    type: "string",
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: "readWrite",
    returned: "default",
    uniqueness: "none",
    description,
    ...options,
  };
}

const multiValue = (what: string, types: readonly string[], valueOptions: Options = {}) => [
  attr("value", `The ${what}.`, valueOptions),
  attr("type", `The kind of ${what}; Staffgate keeps the work one (values of other types are not kept).`, {
    canonicalValues: types,
  }),
  attr("primary", `Whether this is the primary ${what}; Staffgate's one ${what} is primary.`, {
    type: "boolean",
  }),
];

export const USER_ATTRIBUTES: readonly ScimAttribute[] = [
  attr("userName", "Unique within the tenant, case-insensitive; what the user types to sign in.", {
    required: true,
    uniqueness: "server",
  }),
  // Required, with both parts: Staffgate refuses a user without them (PRODUCT.md §2), and a
  // client that builds its mapping from /Schemas must learn it there (found by the SCIM audit).
  attr("name", "The user's name: given and family name are required.", {
    type: "complex",
    required: true,
    subAttributes: [
      // readWrite although derived: Entra maps it by default, and a refused PATCH would fail the
      // whole update; a value sent is accepted and not kept, in POST, PUT and PATCH alike.
      attr("formatted", "Given and family name: derived from them; a value sent is not kept."),
      attr("familyName", "Family name.", { required: true }),
      attr("givenName", "Given name.", { required: true }),
    ],
  }),
  attr("displayName", "Derived from the given and family names; a value sent is not kept."),
  attr("title", "Job title."),
  attr("active", "false deactivates the account: its sessions and API tokens end at once.", {
    type: "boolean",
  }),
  // Immutable: set when the user is created, never changed over SCIM (a reset link does that).
  attr("password", "Set on create only (checked against the tenant's policy); never returned.", {
    mutability: "immutable",
    returned: "never",
    caseExact: true,
  }),
  // Unique as userName is (409 uniqueness): /Schemas said "none" (SCIM audit, 2026-12-06).
  attr("emails", "Staffgate keeps one address per user, unique within the tenant.", {
    type: "complex",
    multiValued: true,
    required: true,
    uniqueness: "server",
    subAttributes: multiValue("email address", ["work", "home", "other"], { uniqueness: "server" }),
  }),
  attr("phoneNumbers", "Staffgate keeps one number per user, stored in E.164 form.", {
    type: "complex",
    multiValued: true,
    subAttributes: multiValue("phone number", ["work", "mobile", "home", "other"]),
  }),
  attr("groups", "The user's role, as a group; change it through the Group resource.", {
    type: "complex",
    multiValued: true,
    mutability: "readOnly",
    subAttributes: [
      attr("value", "The group's (role's) id.", { mutability: "readOnly", caseExact: true }),
      attr("$ref", "The group's URI.", {
        type: "reference",
        referenceTypes: ["Group"],
        mutability: "readOnly",
        caseExact: true,
      }),
      attr("display", "The group's (role's) name.", { mutability: "readOnly" }),
      attr("type", "Always direct.", { mutability: "readOnly", canonicalValues: ["direct"] }),
    ],
  }),
];

export const ENTERPRISE_USER_ATTRIBUTES: readonly ScimAttribute[] = [
  attr("employeeNumber", "The employee number."),
];

export const GROUP_ATTRIBUTES: readonly ScimAttribute[] = [
  attr("displayName", "The role's name, unique within the tenant, case-insensitive.", {
    required: true,
    uniqueness: "server",
  }),
  attr("members", "The users holding this role as their role (a user holds exactly one).", {
    type: "complex",
    multiValued: true,
    subAttributes: [
      attr("value", "The user's id.", { mutability: "immutable", caseExact: true }),
      attr("$ref", "The user's URI.", {
        type: "reference",
        referenceTypes: ["User"],
        mutability: "immutable",
        caseExact: true,
      }),
      attr("display", "The user's display name.", { mutability: "readOnly" }),
      attr("type", "Always User.", { mutability: "immutable", canonicalValues: ["User"] }),
    ],
  }),
];

/** Attributes every resource has (RFC 7643 §3.1), not part of any schema's attribute list. */
export const COMMON_ATTRIBUTES: readonly ScimAttribute[] = [
  attr("id", "Staffgate's id.", {
    mutability: "readOnly",
    returned: "always",
    caseExact: true,
    uniqueness: "server",
  }),
  attr("externalId", "The provisioning client's own id for the resource.", { caseExact: true }),
  attr("meta", "Resource metadata.", {
    type: "complex",
    mutability: "readOnly",
    subAttributes: [
      attr("resourceType", "User or Group.", { mutability: "readOnly", caseExact: true }),
      attr("created", "When it was created.", { type: "dateTime", mutability: "readOnly" }),
      attr("lastModified", "When it last changed.", { type: "dateTime", mutability: "readOnly" }),
      attr("location", "Its URI.", { type: "reference", mutability: "readOnly", caseExact: true }),
      attr("version", "Its ETag.", { mutability: "readOnly", caseExact: true }),
    ],
  }),
];
