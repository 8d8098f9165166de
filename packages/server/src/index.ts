/** @staffgate/server: buildApp() and the pieces main.ts and the CLI wire. */
export { type AppOptions, REDACTED_PATHS, type StaffgateApp, buildApp } from "./app.ts";
export { loadConfig, type Config } from "./config.ts";
export { startServer } from "./main.ts";
