/** Wires every service from explicit dependencies: the one place core is assembled. */
import { createAccessService, createSharedPolicyCache } from "./access/access.service.ts";
import { createEffectiveService } from "./access/effective.ts";
import { createEmergencyAccessService } from "./access/emergency.service.ts";
import { createPatientAccessService } from "./access/patient-access.service.ts";
import { createAuditService } from "./audit/audit.service.ts";
import { createApiTokensService } from "./auth/api-tokens.service.ts";
import { createAuthService } from "./auth/auth.service.ts";
import type { BreachedPasswords } from "./auth/breached-passwords.ts";
import { createCredentialsService } from "./auth/credentials.service.ts";
import type { LoginThrottleLimits } from "./auth/login.service.ts";
import { createMfaService } from "./auth/mfa.service.ts";
import { createMfaRecoveryService } from "./auth/mfa-recovery.service.ts";
import { createPasswordHasher, type HasherOptions } from "./auth/password-hasher.ts";
import { type Catalogs, loadCatalogs } from "./catalog/catalogs.ts";
import type { Db } from "./db/database.ts";
import { createOutboxService } from "./mail/outbox.service.ts";
import { createRolesService } from "./roles/roles.service.ts";
import { createScimGroupsService } from "./scim/scim-groups.service.ts";
import { createScimUsersService } from "./scim/scim-users.service.ts";
import { type Clock, systemClock } from "./shared/clock.ts";
import type { Deps } from "./shared/deps.ts";
import { createIdempotencyService } from "./shared/idempotency.ts";
import { type Ids, randomIds } from "./shared/ids.ts";
import { createSettingsService } from "./tenants/settings.service.ts";
import { createTenantProfileService } from "./tenants/tenant-profile.service.ts";
import { createTenantsService } from "./tenants/tenants.service.ts";
import { createUserLifecycleService } from "./users/user-lifecycle.service.ts";
import { createUserPermissionsService } from "./users/user-permissions.service.ts";
import { createUsersService } from "./users/users.service.ts";
import { createUserCsvService } from "./users/users-import.service.ts";
import { createWorkspacesService } from "./workspaces/workspaces.service.ts";

export interface CoreOptions {
  readonly db: Db;
  readonly clock?: Clock;
  readonly ids?: Ids;
  readonly catalogs?: Catalogs;
  readonly hasher?: HasherOptions;
  /** The breached-password source (auth/breached-passwords.ts); none by default. */
  readonly breachedPasswords?: BreachedPasswords;
  /** Sign-in throttling limits (auth/login.service.ts LOGIN_THROTTLE by default). */
  readonly loginThrottle?: Partial<LoginThrottleLimits>;
  /** Base of the links in emails (STAFFGATE_PUBLIC_URL); default `DEFAULT_PUBLIC_URL`. */
  readonly publicUrl?: string;
}

/** The default of STAFFGATE_PUBLIC_URL for local development. */
export const DEFAULT_PUBLIC_URL = "http://localhost:3000";

export function createCore(options: CoreOptions) {
  const hasher = createPasswordHasher(options.hasher);
  const deps: Deps = {
    db: options.db,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? randomIds,
    catalogs: options.catalogs ?? loadCatalogs(),
    hasher,
    breachedPasswords: options.breachedPasswords ?? null,
    publicUrl: (options.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, ""),
    auditStream: { current: null },
    mailQueued: { current: null },
  };
  const policy = createSharedPolicyCache(deps);
  const access = createAccessService(deps, policy);
  return {
    deps,
    audit: createAuditService(deps),
    apiTokens: createApiTokensService(deps, policy),
    auth: createAuthService(deps, policy, {
      ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
    }),
    credentials: createCredentialsService(deps),
    mfa: createMfaService(deps),
    mfaRecovery: createMfaRecoveryService(deps),
    tenants: createTenantsService(deps),
    settings: createSettingsService(deps),
    tenantProfile: createTenantProfileService(deps),
    workspaces: createWorkspacesService(deps),
    userLifecycle: createUserLifecycleService(deps),
    userPermissions: createUserPermissionsService(deps),
    users: createUsersService(deps),
    userCsv: createUserCsvService(deps),
    outbox: createOutboxService(deps),
    roles: createRolesService(deps),
    scimUsers: createScimUsersService(deps),
    scimGroups: createScimGroupsService(deps),
    access,
    effective: createEffectiveService(deps, access),
    patientAccess: createPatientAccessService(deps),
    emergencyAccess: createEmergencyAccessService(deps),
    idempotency: createIdempotencyService(deps),
    /** Ends what core started besides the database (the hasher's threads) and forgets the decision cache. */
    async close(): Promise<void> {
      await Promise.all([access.close(), hasher.close()]);
    },
  };
}

export type Core = ReturnType<typeof createCore>;
