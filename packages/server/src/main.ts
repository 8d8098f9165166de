/** Starts the service: migrate, bootstrap the demo tenant on an empty database, listen, shut down on SIGTERM. */
import { buildApp, REDACTED_PATHS } from "./app.ts";
import type { Config } from "./config.ts";

export async function startServer(config: Config): Promise<{ close(): Promise<void> }> {
  const app = await buildApp({
    databaseUrl: config.databaseUrl,
    catalog: config.catalog,
    operatorToken: config.operatorToken,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    jobs: true,
    rateLimits: config.rateLimits,
    // On a small host, one thread fewer than cores keeps a core for every other request during a
    // sign-in flood, at the cost of sign-ins per second (bench/README.md, bench:signin).
    ...(config.hashThreads ? { hasher: { concurrency: config.hashThreads } } : {}),
    // Without SMTP_URL the mailer prints each email to the log (local development).
    mail: { smtpUrl: config.smtpUrl, deliver: true, ...mailFrom(config.publicUrl) },
    logger: { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } },
  });
  const boot = await app.core.tenants.bootstrapDemo(config.bootstrapPassword);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`;
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
  // Human-readable banner on stderr; stdout carries the JSON logs.
  process.stderr.write(`\n${lines.join("\n")}\n\n`);

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      app.log.info({ event: "sys_shutdown" }, "shutting down");
      await app.close();
    })();
    return closing;
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  return { close };
}

/** `no-reply@` the public host when it is a domain name; the mailer's default otherwise (IP, localhost). */
function mailFrom(publicUrl: string): { from?: string } {
  const host = new URL(publicUrl).hostname;
  const domain = /^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host);
  return domain ? { from: `Staffgate <no-reply@${host}>` } : {};
}
