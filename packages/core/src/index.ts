/** @staffgate/core: domain rules, use-case services, stores and migrations. */
export { isTenantToken } from "./auth/api-tokens.service.ts";
export {
  type BreachedPasswords,
  createBreachedPasswords,
  isRangeApi,
} from "./auth/breached-passwords.ts";
export type { Caller } from "./auth/caller.ts";
export { can } from "./auth/caller.ts";
export { FORGOT_PASSWORD_MIN_MS } from "./auth/credentials.service.ts";
export { LOGIN_THROTTLE, type LoginThrottleLimits } from "./auth/login.service.ts";
export { operatorCaller } from "./auth/operator-caller.ts";
export { BULK_COST, DEFAULT_RATE_LIMITS, LIST_COST_DIVISOR, type RateLimits } from "./auth/rate-limits.ts";
export { totpSecretKeyProblem } from "./auth/totp-key-check.ts";
export { buildCatalog, type Catalog, CatalogError } from "./catalog/catalog.rules.ts";
export { type Catalogs, loadCatalogs, PRESET_NAMES } from "./catalog/catalogs.ts";
export { type Core, type CoreOptions, createCore, DEFAULT_PUBLIC_URL } from "./core.ts";
export {
  copySqliteInto,
  type Db,
  DEFAULT_DATABASE_URL,
  type Dialect,
  isPostgresUrl,
  openDatabase,
  probeSqliteWrite,
} from "./db/database.ts";
export { migrateToLatest, migrationsAreCurrent } from "./db/migrate.ts";
export { archiveExpiredUsers, type ExpiryRun, startExpiryJob } from "./jobs/expiry.job.ts";
export { exclusively, jobLockName } from "./jobs/job-lock.ts";
export { purgeAuditPastRetention, type RetentionRun, startRetentionJob } from "./jobs/retention.job.ts";
export {
  createMailer,
  type DeliveryRun,
  logTransport,
  MAIL_DEFAULTS,
  type Mailer,
  type MailLog,
  type MailTransport,
  nodemailerTransport,
  smtpTransport,
} from "./mail/mailer.ts";
export { outboxState } from "./mail/outbox.service.ts";
export { enqueue as enqueueMail, listOutbox } from "./mail/outbox.store.ts";
export { type CatalogReview, grantAddedPermissions, reviewCatalogs } from "./roles/catalog-upgrade.ts";
export { GROUP_SCHEMA, USER_SCHEMA } from "./scim/scim-attributes.rules.ts";
export { project as projectScim } from "./scim/scim-common.ts";
export {
  resourceTypes,
  SCHEMAS,
  schemaResource,
  serviceProviderConfig,
} from "./scim/scim-discovery.rules.ts";
export { type Clock, createFakeClock, type FakeClock, systemClock } from "./shared/clock.ts";
export type { Actor, Ctx, RequestMeta } from "./shared/context.ts";
export { operatorActor, systemActor } from "./shared/context.ts";
export type { AuditRecord } from "./shared/deps.ts";
export { AppError, AUTHORIZATION_REFUSALS, isAppError } from "./shared/errors.ts";
export { armedFailpoint, FAILPOINTS, type Failpoint } from "./shared/failpoint.ts";
export {
  IDEMPOTENCY_KEY_TTL_MS,
  type IdempotencyScope,
  IdempotentReplay,
  type KeptResponse,
  type StoredAnswer,
} from "./shared/idempotency.ts";
export { randomPiece } from "./shared/ids.ts";
export { lockedAtSql } from "./users/users.table.ts";
