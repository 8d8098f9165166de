/** The typed Staffgate client: one namespace per feature. */
import { accessApi } from "./access.ts";
import { apiTokensApi } from "./api-tokens.ts";
import { auditApi } from "./audit.ts";
import { authApi } from "./auth.ts";
import { credentialsApi } from "./credentials.ts";
import { emergencyAccessApi } from "./emergency.ts";
import { type ClientOptions, createTransport, type Transport, withDefaults } from "./http.ts";
import { mfaApi } from "./mfa.ts";
import { operationsApi } from "./operations.ts";
import { outboxApi } from "./outbox.ts";
import { patientAccessApi } from "./patient-access.ts";
import { rolesApi } from "./roles.ts";
import { scimApi } from "./scim.ts";
import { settingsApi, tenantProfileApi } from "./settings.ts";
import { permissionsApi, tenantsApi } from "./tenants.ts";
import { userActionsApi } from "./user-actions.ts";
import { usersApi } from "./users.ts";
import { workspacesApi } from "./workspaces.ts";

export class Staffgate {
  readonly transport: Transport;
  readonly auth: ReturnType<typeof authApi>;
  readonly credentials: ReturnType<typeof credentialsApi>;
  readonly tenants: ReturnType<typeof tenantsApi>;
  readonly permissions: ReturnType<typeof permissionsApi>;
  readonly workspaces: ReturnType<typeof workspacesApi>;
  readonly roles: ReturnType<typeof rolesApi>;
  readonly users: ReturnType<typeof usersApi>;
  readonly userActions: ReturnType<typeof userActionsApi>;
  readonly audit: ReturnType<typeof auditApi>;
  readonly access: ReturnType<typeof accessApi>;
  readonly patientAccess: ReturnType<typeof patientAccessApi>;
  readonly emergencyAccess: ReturnType<typeof emergencyAccessApi>;
  readonly settings: ReturnType<typeof settingsApi>;
  /** The practice's own name and time zone (the operator's tenant API is `tenants`). */
  readonly tenant: ReturnType<typeof tenantProfileApi>;
  readonly outbox: ReturnType<typeof outboxApi>;
  readonly apiTokens: ReturnType<typeof apiTokensApi>;
  readonly mfa: ReturnType<typeof mfaApi>;
  readonly scim: ReturnType<typeof scimApi>;
  readonly operations: ReturnType<typeof operationsApi>;

  constructor(options: ClientOptions | Transport) {
    const t = "request" in options ? options : createTransport(options);
    this.transport = t;
    this.auth = authApi(t);
    this.credentials = credentialsApi(t);
    this.tenants = tenantsApi(t);
    this.permissions = permissionsApi(t);
    this.workspaces = workspacesApi(t);
    this.roles = rolesApi(t);
    this.users = usersApi(t);
    this.userActions = userActionsApi(t);
    this.audit = auditApi(t);
    this.access = accessApi(t);
    this.patientAccess = patientAccessApi(t);
    this.emergencyAccess = emergencyAccessApi(t);
    this.settings = settingsApi(t);
    this.tenant = tenantProfileApi(t);
    this.outbox = outboxApi(t);
    this.apiTokens = apiTokensApi(t);
    this.mfa = mfaApi(t);
    this.scim = scimApi(t);
    this.operations = operationsApi(t);
  }

  /** The same client acting with another token. */
  withToken(token: string | undefined): Staffgate {
    return new Staffgate(this.transport.withToken(token));
  }

  /**
   * The same client sending `Idempotency-Key: key`: a change made through it and sent again (a
   * retry after a timeout) is carried out once, and the retry gets the first answer. Use one key
   * per change you mean to make once (a random UUID); the server keeps it for 24 hours.
   */
  withIdempotencyKey(key: string): Staffgate {
    return new Staffgate(withDefaults(this.transport, { headers: { "idempotency-key": key } }));
  }

  /**
   * The same client with another timeout per call (ClientOptions.timeoutMs): e.g. the decision
   * client of an application that must answer its own request within a budget. A call that runs
   * out throws `StaffgateTimeoutError`; whether to deny or to fail is the application's choice
   * (Staffgate's own answer is never "allowed" by default).
   */
  withTimeout(timeoutMs: number): Staffgate {
    return new Staffgate(this.transport.withTimeout(timeoutMs));
  }

  /**
   * The same client, every call of which ends when `signal` aborts (the incoming request's own
   * signal, say): the call rejects with the signal's reason.
   */
  withSignal(signal: AbortSignal): Staffgate {
    return new Staffgate(withDefaults(this.transport, { signal }));
  }
}
