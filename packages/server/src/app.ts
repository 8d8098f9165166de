/** buildApp(): the whole HTTP service, built without listening (tests inject; main.ts listens). */

import { Id } from "@staffgate/contract";
import {
  type Catalogs,
  type Clock,
  type Core,
  createBreachedPasswords,
  createCore,
  createMailer,
  type Db,
  DEFAULT_DATABASE_URL,
  DEFAULT_RATE_LIMITS,
  type LoginThrottleLimits,
  loadCatalogs,
  logTransport,
  type Mailer,
  type MailTransport,
  migrateToLatest,
  openDatabase,
  type RateLimits,
  smtpTransport,
  startExpiryJob,
  startRetentionJob,
} from "@staffgate/core";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { TrustProxy } from "./config.ts";
import { installAuditLog } from "./http/audit-log.ts";
import { installAuthentication } from "./http/auth.ts";
import { answerClientError } from "./http/client-error.ts";
import { DEFAULT_CONSOLE_DIR, installConsole } from "./http/console.ts";
import { installDocumentedStatusCheck } from "./http/documented-statuses.ts";
import { installInputText, isText } from "./http/input-text.ts";
import { loggedUrl } from "./http/logged-url.ts";
import { installMetrics } from "./http/metrics.ts";
import { frameworkProblem, installErrorHandling } from "./http/problem.ts";
import { createRateLimiter } from "./http/rate-limit.ts";
import { newRequestId } from "./http/request-id.ts";
import { metaOf, type RegisteredRoute, type RouteOptions } from "./http/route.ts";
import { installSecurityHeaders } from "./http/security-headers.ts";
import { installShutdownRefusal } from "./http/shutting-down.ts";
import { ROUTE_MODULES } from "./routes/index.ts";

export interface AppOptions {
  /** An open database; or `databaseUrl` to open one (default `./data/staffgate.db`). */
  readonly db?: Db;
  readonly databaseUrl?: string;
  readonly catalogs?: Catalogs;
  readonly catalog?: string;
  readonly clock?: Clock;
  readonly operatorToken?: string;
  readonly logger?: FastifyServerOptions["logger"];
  /** Validate every response against its schema (on in tests, so a leaked field fails). */
  readonly validateResponses?: boolean;
  /** Cheaper argon2 parameters for tests; production uses the defaults. */
  readonly hasher?: { memoryCost?: number; timeCost?: number; concurrency?: number; maxQueued?: number };
  readonly bodyLimit?: number;
  /** The built console to serve at `/` (default packages/console/dist); `false` serves none. */
  readonly consoleDir?: string | false;
  /**
   * STAFFGATE_PUBLIC_URL: the base of every link in an email (reset, invitation); never taken
   * from a request's Host header. Default `DEFAULT_PUBLIC_URL` (http://localhost:3000).
   */
  readonly publicUrl?: string;
  /**
   * STAFFGATE_BREACHED_PASSWORDS: a range API's address or a directory of range files where new
   * passwords are looked up (core auth/breached-passwords.ts); none by default.
   */
  readonly breachedPasswords?: string;
  /** Sign-in throttling limits (core LOGIN_THROTTLE by default; tests and benchmarks raise them). */
  readonly loginThrottle?: Partial<LoginThrottleLimits>;
  /**
   * The general request rate limit per caller and per tenant (http/rate-limit.ts; STAFFGATE_RATE_LIMITS);
   * DEFAULT_RATE_LIMITS for what is not given. Tests turn it off unless they test it.
   */
  readonly rateLimits?: Partial<RateLimits> | false;
  /** How long close() waits for open connections before ending them (default SHUTDOWN_GRACE_MS). */
  readonly shutdownGraceMs?: number;
  /** How long a client may take to send a whole request (default REQUEST_TIMEOUT_MS; tests shorten it). */
  readonly requestTimeoutMs?: number;
  /** STAFFGATE_TRUST_PROXY (config.ts): which peers may name the client with X-Forwarded-For. */
  readonly trustProxy?: TrustProxy;
  /** Run scheduled jobs (account expiry, audit retention) on timers; off in tests, which call them directly. */
  readonly jobs?: boolean;
  /**
   * Email (issue 4 item 11). Absent: messages only accumulate in the outbox (tests). With it, a
   * mailer drains the outbox: through SMTP when `smtpUrl` (or a test `transport`) is given,
   * otherwise printed to the log (local development). `deliver` runs it on a timer; without it
   * tests call `app.mailer.deliverPending()`.
   */
  readonly mail?: {
    readonly smtpUrl?: string | undefined;
    readonly transport?: MailTransport;
    readonly from?: string;
    readonly deliver?: boolean;
    readonly intervalMs?: number;
    /** Messages a delivery pass takes (mail/mailer.ts; tests make it small). */
    readonly batchSize?: number;
  };
}

export interface StaffgateApp extends FastifyInstance {
  readonly core: Core;
  readonly routesRegistry: readonly RegisteredRoute[];
  /** The outbox mailer, when `mail` was given. */
  readonly mailer: Mailer | null;
}

/** How long a client may take to send a whole request. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node looks for requests past REQUEST_TIMEOUT_MS (the cut-off comes at most this late). */
const CONNECTION_CHECK_MS = 1_000;

/** How often the outbox is drained. */
const MAIL_INTERVAL_MS = 5_000;

/** How often expired accounts are archived. */
const EXPIRY_INTERVAL_MS = 60_000;
/** Audit retention is counted in days: an hourly pass is prompt enough. */
const RETENTION_INTERVAL_MS = 60 * 60_000;

export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.newPassword",
  "*.currentPassword",
  "*.token",
  "*.csrfToken",
  "*.totp",
  // A PostgreSQL error's `detail` quotes the row or key it failed on ("Failing row contains (…)",
  // "Key (email_key)=(…) already exists"): labels, changed values, addresses, even a password hash.
  "err.detail",
  "err.cause.detail",
];

/**
 * Log lines carry their time as ISO 8601 in UTC (ASVS 16.2.2), not epoch milliseconds, and a
 * request's URL without secret query values.
 */
function withLogDefaults(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
  if (!logger || typeof logger !== "object" || "timestamp" in logger) return logger;
  return {
    ...logger,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: loggedUrl(request.url),
        remoteAddress: request.ip,
      }),
    },
  };
}

export async function buildApp(options: AppOptions = {}): Promise<StaffgateApp> {
  const db = options.db ?? openDatabase(options.databaseUrl ?? DEFAULT_DATABASE_URL);
  const migrated = await migrateToLatest(db.allTenants as never);
  const core = createCore({
    db,
    ...(options.clock ? { clock: options.clock } : {}),
    catalogs: options.catalogs ?? loadCatalogs(options.catalog),
    ...(options.hasher ? { hasher: options.hasher } : {}),
    ...(options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.breachedPasswords
      ? {
          breachedPasswords: createBreachedPasswords(options.breachedPasswords, {
            // The password is accepted (it passed the offline list); the operator learns why the
            // lookup failed. Called only while serving, once `app` exists.
            onUnavailable: (reason) =>
              app.log.warn(
                { event: "sys_breach_check_unavailable", reason },
                "the breached-password lookup gave no answer; the password was accepted",
              ),
          }),
        }
      : {}),
  });
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: withLogDefaults(options.logger ?? false),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    genReqId: newRequestId,
    requestIdHeader: false,
    // A request must arrive whole within 30 s (bodies are at most 1 MiB, 2 MiB where a password is
    // carried): a client trickling its headers or body cannot hold a connection open for ever
    // (slowloris, R-U-Dead-Yet); 408.
    requestTimeout: requestTimeout,
    // Given to Node's constructor as well: there it also sets headersTimeout (otherwise 60 s, which
    // let a stalled body hold its connection for a minute), and Node looks for requests past their
    // deadline only every connectionsCheckingInterval (otherwise 30 s).
    http: {
      requestTimeout,
      connectionsCheckingInterval: Math.min(CONNECTION_CHECK_MS, requestTimeout),
    },
    frameworkErrors: frameworkProblem,
    clientErrorHandler: answerClientError,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    // A patientRef is up to 200 characters, percent-encoded up to 9 bytes each (issue 5).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    // Refused as a problem instead (http/shutting-down.ts).
    return503OnClosing: false,
  });
  installShutdownRefusal(app, options.shutdownGraceMs);
  // What an upgrade did to the database is said where the operator looks (staffgate migrate prints it too).
  if (migrated.applied.length > 0)
    app.log.info({ event: "sys_migrated", applied: migrated.applied }, "database migrations applied");
  const registry: RegisteredRoute[] = [];
  const rateLimiter =
    options.rateLimits === false
      ? undefined
      : createRateLimiter(
          core.deps.clock,
          { ...DEFAULT_RATE_LIMITS, ...options.rateLimits },
          (request, refusal) =>
            request.log.warn(
              { event: "excess_rate_limit_exceeded", ...refusal },
              "requests refused: rate limit",
            ),
        );
  const routeOptions: RouteOptions = {
    validateResponses: options.validateResponses ?? false,
    operatorApi: Boolean(options.operatorToken),
    registry,
    ...(rateLimiter ? { rateLimiter } : {}),
    idempotency: core.idempotency,
  };
  // JSON only: a text/plain body is what a cross-site form can send (CSRF), so it is refused (415).
  app.removeContentTypeParser("text/plain");
  installInputText(app);
  const consoleDir = options.consoleDir === undefined ? DEFAULT_CONSOLE_DIR : options.consoleDir;
  installErrorHandling(
    app,
    consoleDir ? installConsole(app, consoleDir) : null,
    registry,
    (request, code) => {
      const caller = request.caller ?? request.csrfRefusedCaller;
      if (!caller) return Promise.resolve();
      const params = request.params as Record<string, unknown> | undefined;
      const named = params?.id ?? params?.userId;
      // A refusal may come before the path was checked (route.ts admits a caller before any input
      // is read): only an id that could be one is kept, as text both databases store (a NUL made
      // PostgreSQL refuse the event, and the refusal went unrecorded).
      const targetId =
        typeof named === "string" && Id.safeParse(named).success && isText(named) ? named : undefined;
      return core.audit.recordDenied(
        { ...metaOf(request), tenantId: caller.tenantId, actor: caller.actor },
        {
          code,
          method: request.method,
          route: request.routeOptions.url ?? request.url.split("?")[0]!,
          ...(targetId ? { targetId } : {}),
        },
      );
    },
  );
  installSecurityHeaders(app);
  if (options.validateResponses) installDocumentedStatusCheck(app, registry);
  installAuditLog(core, app.log);
  installAuthentication(app, core, options.operatorToken);
  for (const register of ROUTE_MODULES) register(app, core, routeOptions);
  installMetrics(app, core, routeOptions);
  app.decorate("core", core);
  app.decorate("routesRegistry", registry);
  // What close() stops, in this order: whatever may still use the database (mail and job passes
  // in progress, then the hasher's threads and the decision cache), then the database. One hook,
  // because Fastify runs onClose hooks in the reverse order of their registration.
  const stops: (() => Promise<void> | void)[] = [];
  let mailer: Mailer | null = null;
  if (options.mail) {
    const mail = options.mail;
    const transport = mail.transport ?? (mail.smtpUrl ? smtpTransport(mail.smtpUrl) : logTransport(app.log));
    mailer = createMailer(core.deps, {
      transport,
      log: app.log,
      ...(mail.from ? { from: mail.from } : {}),
      ...(mail.batchSize ? { batchSize: mail.batchSize } : {}),
    });
    const stopping = mailer;
    if (mail.deliver) {
      mailer.start(mail.intervalMs ?? MAIL_INTERVAL_MS);
      // Printing to the log is local and quick: the change answers once its message is printed,
      // so its link is in the outbox as the answer arrives. An SMTP server is not waited for (a
      // slow or failing one never holds or changes an answer).
      core.deps.mailQueued.current =
        transport.via === "log" ? () => stopping.wake() : () => void stopping.wake();
    }
    stops.push(() => {
      core.deps.mailQueued.current = null;
      return stopping.stop();
    });
  }
  app.decorate("mailer", mailer);
  if (options.jobs) {
    const stopExpiry = startExpiryJob(core.deps, EXPIRY_INTERVAL_MS, (run) => {
      for (const error of run.errors)
        app.log.error({ err: error, event: "job_expiry_failed" }, "expiry job failed");
    });
    const stopRetention = startRetentionJob(core.deps, RETENTION_INTERVAL_MS, (run) => {
      if (run.purged > 0)
        app.log.info(
          { event: "job_retention_purged", purged: run.purged, tenants: run.tenants },
          "audit retention",
        );
      // Named by tenant: a broken chain in one of many is reported every hour until someone looks.
      for (const { tenantId, error } of run.errors)
        app.log.error({ err: error, event: "job_retention_failed", tenantId }, "audit retention job failed");
    });
    stops.push(stopExpiry, stopRetention);
  }
  stops.push(() => core.close());
  if (!options.db) stops.push(() => db.destroy());
  app.addHook("onClose", async () => {
    for (const stop of stops) await stop();
  });
  return app as unknown as StaffgateApp;
}
