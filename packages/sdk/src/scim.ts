/**
 * SCIM 2.0 (RFC 7644) at `/scim/v2`, for programs that provision over SCIM with Staffgate's SDK
 * rather than an identity provider's own client. Resources are SCIM JSON (attribute names as the
 * RFC spells them); errors are thrown as `StaffgateError` with the SCIM status and Staffgate's code.
 */
import { enc, type Transport } from "./http.ts";

export type ScimResource = Record<string, unknown> & { id: string };

export interface ScimListResponse {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: ScimResource[];
}

export interface ScimListQuery {
  filter?: string;
  startIndex?: number;
  count?: number;
  attributes?: string;
  excludedAttributes?: string;
}

/** `POST /.search` (RFC 7644 §3.4.3): the list parameters in a body, kept out of URLs and their logs. */
export interface ScimSearchRequest {
  filter?: string;
  startIndex?: number;
  count?: number;
  attributes?: string | string[];
  excludedAttributes?: string | string[];
}

export interface ScimPatchOperation {
  op: "add" | "replace" | "remove";
  path?: string;
  value?: unknown;
}

/**
 * The version a write expects: the resource's `meta.version` as SCIM gives it (`W/"3"`, sent as it
 * is), or its number.
 */
export interface ScimWriteOptions {
  ifMatch?: number | string;
}

const versioned = (options: ScimWriteOptions) =>
  typeof options.ifMatch === "string"
    ? { headers: { "if-match": options.ifMatch } }
    : options.ifMatch === undefined
      ? {}
      : { ifMatch: options.ifMatch };

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

function resource(t: Transport, kind: "Users" | "Groups") {
  const base = `/scim/v2/${kind}`;
  return {
    list: (query: ScimListQuery = {}) => t.request<ScimListResponse>("GET", base, { query: { ...query } }),
    search: (body: ScimSearchRequest = {}) =>
      t.request<ScimListResponse>("POST", `${base}/.search`, {
        body: { schemas: [SEARCH_REQUEST], ...body },
      }),
    get: (id: string, query: Pick<ScimListQuery, "attributes" | "excludedAttributes"> = {}) =>
      t.request<ScimResource>("GET", `${base}/${enc(id)}`, { query: { ...query } }),
    create: (body: Record<string, unknown>) => t.request<ScimResource>("POST", base, { body }),
    replace: (id: string, body: Record<string, unknown>, options: ScimWriteOptions = {}) =>
      t.request<ScimResource>("PUT", `${base}/${enc(id)}`, { body, ...versioned(options) }),
    patch: (id: string, operations: ScimPatchOperation[], options: ScimWriteOptions = {}) =>
      t.request<ScimResource>("PATCH", `${base}/${enc(id)}`, {
        body: { schemas: [PATCH_OP], Operations: operations },
        ...versioned(options),
      }),
    delete: (id: string, options: ScimWriteOptions = {}) =>
      t.request<void>("DELETE", `${base}/${enc(id)}`, versioned(options)),
  };
}

export function scimApi(t: Transport) {
  return {
    users: resource(t, "Users"),
    groups: resource(t, "Groups"),
    // Discovery (RFC 7644 §4) holds no tenant data: these need no token.
    serviceProviderConfig: () => t.request<Record<string, unknown>>("GET", "/scim/v2/ServiceProviderConfig"),
    resourceTypes: () => t.request<ScimListResponse>("GET", "/scim/v2/ResourceTypes"),
    /** `User` or `Group`. */
    resourceType: (id: string) => t.request<ScimResource>("GET", `/scim/v2/ResourceTypes/${enc(id)}`),
    schemas: () => t.request<ScimListResponse>("GET", "/scim/v2/Schemas"),
    /** By URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
    schema: (urn: string) => t.request<ScimResource>("GET", `/scim/v2/Schemas/${enc(urn)}`),
  };
}
