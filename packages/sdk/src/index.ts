/** @staffgate/sdk: a typed client for the whole Staffgate API. */
export { Staffgate } from "./client.ts";
export { type ClientOptions, type FetchLike, StaffgateError, StaffgateNetworkError } from "./http.ts";
export type { OpenApiDocument, OpenApiOperation } from "./operations.ts";
export type {
  ScimListQuery,
  ScimListResponse,
  ScimPatchOperation,
  ScimResource,
  ScimSearchRequest,
} from "./scim.ts";
export type { Page } from "./workspaces.ts";
