/** @staffgate/sdk: a typed client for the whole Staffgate API. */
export { Staffgate } from "./client.ts";
export {
  type ClientOptions,
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  StaffgateError,
  StaffgateNetworkError,
  StaffgateTimeoutError,
} from "./http.ts";
export type { OpenApiDocument, OpenApiOperation } from "./operations.ts";
export { allItems } from "./pages.ts";
export type {
  ScimListQuery,
  ScimListResponse,
  ScimPatchOperation,
  ScimResource,
  ScimSearchRequest,
} from "./scim.ts";
export type { Page } from "./workspaces.ts";
