/** @staffgate/contract: the API's schemas, types and error codes, shared by every package. */
export * from "./access.ts";
export * from "./api-tokens.ts";
export * from "./audit.ts";
export * from "./catalog.ts";
export * from "./common.ts";
export * from "./credentials.ts";
export * from "./emergency.ts";
export * from "./errors.ts";
export * from "./mfa.ts";
export * from "./patient-access.ts";
export * from "./roles.ts";
export * from "./settings.ts";
export * from "./tenants.ts";
export * from "./user-actions.ts";
export * from "./user-csv.ts";
export * from "./users.ts";
export * from "./workspaces.ts";
