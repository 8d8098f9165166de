/** Every migration, in order. Append new ones; never edit one that has landed. */
import type { Migration } from "kysely";
import * as initial from "./2026-11-23T00-00_initial.ts";
import * as userSearch from "./2026-11-23T01-00_user_search.ts";
import * as emergencyOutbox from "./2026-11-23T02-00_emergency_and_outbox.ts";

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "2026-11-23T00-00_initial": initial,
  "2026-11-23T01-00_user_search": userSearch,
  "2026-11-23T02-00_emergency_and_outbox": emergencyOutbox,
};
