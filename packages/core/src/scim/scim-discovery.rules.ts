/**
 * SCIM's discovery resources (RFC 7644 §4, RFC 7643 §5–§7): what this service provider supports,
 * its resource types and its schemas, from the one attribute definition in scim-attributes.
 */
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  GROUP_ATTRIBUTES,
  GROUP_SCHEMA,
  type ScimAttribute,
  type ScimSchema,
  USER_ATTRIBUTES,
  USER_SCHEMA,
} from "./scim-attributes.rules.ts";
import type { AttributeInfo } from "./scim-filter.rules.ts";

/** The most resources one list answer holds (`count` above it is lowered to it). */
export const SCIM_MAX_RESULTS = 200;

export const SCHEMAS: readonly ScimSchema[] = [
  {
    id: USER_SCHEMA,
    name: "User",
    description: "A member of the tenant's staff",
    attributes: USER_ATTRIBUTES,
  },
  {
    id: ENTERPRISE_USER_SCHEMA,
    name: "EnterpriseUser",
    description: "Enterprise User (Staffgate keeps the employee number)",
    attributes: ENTERPRISE_USER_ATTRIBUTES,
  },
  { id: GROUP_SCHEMA, name: "Group", description: "A role of the tenant", attributes: GROUP_ATTRIBUTES },
];

const meta = (baseUrl: string, resourceType: string, path: string) => ({
  resourceType,
  location: `${baseUrl}/${path}`,
});

export function schemaResource(schema: ScimSchema, baseUrl: string): Record<string, unknown> {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    ...schema,
    meta: meta(baseUrl, "Schema", `Schemas/${schema.id}`),
  };
}

export function resourceTypes(baseUrl: string): Record<string, unknown>[] {
  const schema = ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"];
  return [
    {
      schemas: schema,
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "The tenant's staff (archived and virtual users are not provisioned over SCIM)",
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: meta(baseUrl, "ResourceType", "ResourceTypes/User"),
    },
    {
      schemas: schema,
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "The tenant's roles; a user is a member of the one role it holds",
      schema: GROUP_SCHEMA,
      meta: meta(baseUrl, "ResourceType", "ResourceTypes/Group"),
    },
  ];
}

export function serviceProviderConfig(baseUrl: string, docsUrl: string): Record<string, unknown> {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: docsUrl,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "API token",
        description:
          "An API token of the tenant (Settings, API tokens) sent as Authorization: Bearer; its role decides what it may do (users.view to read, users.manage to provision, roles.manage to create, rename or delete groups)",
        primary: true,
      },
    ],
    meta: meta(baseUrl, "ServiceProviderConfig", "ServiceProviderConfig"),
  };
}

/** Every filterable path of a resource, lower-cased (`name.familyname`, `<extension urn>:employeenumber`). */
export function attributeLookup(
  attributes: readonly ScimAttribute[],
  extensions: readonly { urn: string; attributes: readonly ScimAttribute[] }[] = [],
): (path: string) => AttributeInfo | undefined {
  const map = new Map<string, AttributeInfo>();
  const add = (prefix: string, list: readonly ScimAttribute[]) => {
    for (const a of list) {
      if (a.returned === "never") continue;
      const key = `${prefix}${a.name.toLowerCase()}`;
      map.set(key, { type: a.type, caseExact: a.caseExact, multiValued: a.multiValued });
      if (a.subAttributes) add(`${key}.`, a.subAttributes);
    }
  };
  add("", [...COMMON_ATTRIBUTES, ...attributes]);
  for (const e of extensions) add(`${e.urn.toLowerCase()}:`, e.attributes);
  return (path) => map.get(path.toLowerCase());
}
