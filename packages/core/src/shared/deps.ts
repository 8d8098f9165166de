/** The explicit dependencies every store and service is built from; wired once in `createCore`. */

import type { PasswordHasher } from "../auth/password-hasher.ts";
import type { Catalogs } from "../catalog/catalogs.ts";
import type { Db } from "../db/database.ts";
import type { Clock } from "./clock.ts";
import type { Ids } from "./ids.ts";

export interface Deps {
  readonly db: Db;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly catalogs: Catalogs;
  readonly hasher: PasswordHasher;
  /**
   * The console's public base URL (STAFFGATE_PUBLIC_URL), without a trailing slash: every link in
   * an email is built from it, never from a request's Host header (SECURITY.md C-29).
   */
  readonly publicUrl: string;
}
