/**
 * Starts the service: migrate, refuse a database this configuration cannot serve, listen, then
 * bootstrap the demo tenant on an empty database, and shut down on SIGTERM.
 */
import { armedFailpoint, grantAddedPermissions, isAppError, totpSecretKeyProblem } from "@staffgate/core";
import { buildApp, REDACTED_PATHS, type StaffgateApp } from "./app.ts";
import type { Config } from "./config.ts";
import { addressWarnings, serverUrl } from "./config-urls.ts";
import { listenFailureMessage } from "./listen-failure.ts";
import { reviewTenantCatalogs } from "./tenant-catalogs.ts";

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

export async function startServer(config: Config): Promise<{ close(): Promise<void> }> {
  // One listener from the very start, never swapped: a stop asked while the database is being
  // migrated waits for the migration (all or nothing on both databases) and then stops. Node drops
  // a signal still queued when the listener it was meant for is removed (SQLite's migrations block
  // the event loop, so it is queued), and a swap had lost it (found by the re-check).
  let stopAsked = false;
  let stop: (() => void) | undefined;
  const signalled = () => {
    if (stop) stop();
    else stopAsked = true;
  };
  for (const signal of SIGNALS) process.once(signal, signalled);
  const app = await buildApp({
    databaseUrl: config.databaseUrl,
    catalogs: config.catalogs,
    operatorToken: config.operatorToken,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    jobs: true,
    rateLimits: config.rateLimits,
    ...(config.breachedPasswords ? { breachedPasswords: config.breachedPasswords } : {}),
    // On a small host, one thread fewer than cores keeps a core for every other request during a
    // sign-in flood, at the cost of sign-ins per second (bench/README.md, bench:signin).
    ...(config.hashThreads ? { hasher: { concurrency: config.hashThreads } } : {}),
    // Without SMTP_URL the mailer prints each email to the log (local development).
    mail: { smtpUrl: config.smtpUrl, deliver: true, ...mailFrom(config.publicUrl) },
    logger: { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } },
  }).catch((error: unknown) => {
    for (const signal of SIGNALS) process.off(signal, signalled);
    throw error;
  });
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      app.log.info({ event: "sys_shutdown" }, "shutting down");
      await app.close();
    })();
    return closing;
  };
  // From the start, not once the banner is out: whoever reads the banner may signal at once, and a
  // signal before a handler exists would end the process without closing.
  const onSignal = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  stop = onSignal;
  if (stopAsked) {
    onSignal();
    return { close };
  }
  // A crash is logged before the process ends as Node would end it (SECURITY.md I-63 sys_crash):
  // a fault outside any request (a job, a timer) leaves the line that says what ended the service.
  const crashed = (error: unknown) => {
    app.log.fatal({ event: "sys_crash", err: error }, "crashed");
    process.exit(1);
  };
  process.once("uncaughtException", crashed);
  process.once("unhandledRejection", crashed);
  // A log reader that has gone (`serve 2>&1 | head -2`, a collector that died) must not end the
  // service, nor hang it: the banner's write failed with EPIPE, which as an uncaught error reached
  // the crash log, whose flush retried the broken pipe forever (the docs review: no answer, and
  // SIGTERM ignored). Log lines are dropped quietly then (pino stops writing on EPIPE); the service
  // goes on answering, and stops on a signal as always. Any other write error is still a crash.
  const onOutputError = (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") crashed(error);
  };
  process.stdout.on("error", onOutputError);
  process.stderr.on("error", onOutputError);
  let boot: Awaited<ReturnType<typeof bootstrap>>;
  let url: string;
  try {
    const catalogs = await reviewTenantCatalogs(app.core, config.catalog);
    const refusal = catalogs.problem ?? (await totpSecretKeyProblem(app.core.deps.db, config.secretKey));
    if (refusal) throw new Error(refusal);
    const granted = await grantAddedPermissions(app.core.deps, catalogs.behind);
    if (granted > 0)
      app.log.info(
        { event: "sys_catalog_upgraded", roles: granted },
        "every-permission roles were brought to their catalogue's permissions",
      );
    url = await listen(app, config);
    // Only once listening: a start that fails must not leave a demo tenant whose one-time password
    // nobody saw (the next start finds the database not empty and creates none).
    boot = await bootstrap(app, config.bootstrapPassword);
  } catch (error) {
    for (const signal of SIGNALS) process.off(signal, signalled);
    await (closing ?? app.close());
    throw error;
  }
  app.log.info({ event: "sys_startup", url }, "Staffgate is listening");
  const lines = [`Staffgate is running at ${url}`, `API documentation: ${url}/api/docs`];
  if (boot.created) {
    lines.push(
      "Created tenant 'demo' (Demo Practice) with administrator 'admin' (admin@demo.example).",
      boot.generated
        ? `One-time password for admin: ${boot.password}   (printed once; you must change it at first sign-in)`
        : "The admin password is the one in STAFFGATE_BOOTSTRAP_PASSWORD.",
      `Sign in: tenant "demo", username "admin".`,
    );
  }
  // The default public URL is the listening address's (an explicit one equal to it warns the same).
  const publicUrlSet = config.publicUrl !== serverUrl(config.host, config.port);
  for (const warning of addressWarnings(config.host, config.publicUrl, publicUrlSet)) {
    lines.push(`Warning: ${warning}`);
    app.log.warn({ event: "sys_config_warning", warning }, "configuration warning");
  }
  const armed = armedFailpoint();
  if (armed) {
    lines.push(
      `FAILPOINT=${armed} is set: this process exits (code 137) when it reaches that point. For tests only.`,
    );
    app.log.warn({ event: "sys_failpoint_armed", failpoint: armed }, "a failpoint is armed");
  }
  // Human-readable banner on stderr; stdout carries the JSON logs.
  process.stderr.write(`\n${lines.join("\n")}\n\n`);
  return { close };
}

/** Listens where the configuration says; the address to print, with the port actually bound. */
async function listen(app: StaffgateApp, config: Config): Promise<string> {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const message = listenFailureMessage(error, config);
    throw message ? new Error(message) : error;
  }
  const address = app.server.address();
  return serverUrl(config.host, typeof address === "object" && address ? address.port : config.port);
}

/** The demo tenant on an empty database; a refused STAFFGATE_BOOTSTRAP_PASSWORD is named as such. */
async function bootstrap(app: StaffgateApp, password: string | undefined) {
  try {
    return await app.core.tenants.bootstrapDemo(password);
  } catch (error) {
    const reason = isAppError(error, "VALIDATION_FAILED")
      ? error.errors?.find((e) => e.path === "admin.password")?.message
      : undefined;
    if (reason) throw new Error(`STAFFGATE_BOOTSTRAP_PASSWORD is refused: ${reason}`);
    throw error;
  }
}

/** `no-reply@` the public host when it is a domain name; the mailer's default otherwise (IP, localhost). */
function mailFrom(publicUrl: string): { from?: string } {
  const host = new URL(publicUrl).hostname;
  const domain = /^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host);
  return domain ? { from: `Staffgate <no-reply@${host}>` } : {};
}
