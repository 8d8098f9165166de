/** @staffgate/server: buildApp() and the pieces main.ts and the CLI wire. */
export { type AppOptions, buildApp, REDACTED_PATHS, type StaffgateApp } from "./app.ts";
export { type Config, loadConfig } from "./config.ts";
export { startServer } from "./main.ts";
export { reviewTenantCatalogs } from "./tenant-catalogs.ts";
