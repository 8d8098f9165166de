/** Core on DATABASE_URL for commands that work on the database directly, refusing a stale schema. */
import {
  type Core,
  type Ctx,
  createBreachedPasswords,
  createCore,
  isAppError,
  migrationsAreCurrent,
  operatorActor,
} from "@staffgate/core";
import { loadConfig, reviewTenantCatalogs } from "@staffgate/server";
import { CommandError, UsageError } from "./command.ts";
import { missingSqliteFile } from "./existing-database.ts";
import { flagConfigError, namedProblems } from "./flags.ts";
import { openDatabaseOrExplain } from "./open-database.ts";

export { CommandError } from "./command.ts";

interface CoreOptions {
  /** `--public-url`, over STAFFGATE_PUBLIC_URL. */
  readonly publicUrl?: string | undefined;
  /**
   * The exit code of a command that could not do its work (1 by default): `check` keeps 1 for
   * "denied", so its failures need a code of their own.
   */
  readonly failureCode?: number;
}

/** Runs `work` with core, closing the database afterwards; failures become a message and an exit code. */
export function withCore(work: (core: Core) => Promise<number>): Promise<number> {
  return withCoreFlags({}, work);
}

/**
 * withCore, with a command's flags over the environment. Core is configured as `serve` configures
 * it (catalogues, the public URL of emailed links), so a link a command emails opens that server.
 * A UsageError thrown by `work` is for main to print (exit 2); any other failure is printed here.
 */
export async function withCoreFlags(
  options: CoreOptions,
  work: (core: Core) => Promise<number>,
): Promise<number> {
  const failureCode = options.failureCode ?? 1;
  try {
    return await openAndRun(options, work);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message}\n`);
    return error instanceof CommandError && error.exitCode === 2 ? 2 : failureCode;
  }
}

async function openAndRun(options: CoreOptions, work: (core: Core) => Promise<number>): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(
      options.publicUrl ? { ...process.env, STAFFGATE_PUBLIC_URL: options.publicUrl } : process.env,
    );
  } catch (error) {
    throw (
      flagConfigError(error, { "public-url": options.publicUrl }, { "public-url": "STAFFGATE_PUBLIC_URL" }) ??
      error
    );
  }
  const missing = missingSqliteFile(config.databaseUrl);
  if (missing) {
    throw new CommandError(
      `The database ${missing} does not exist (DATABASE_URL): nothing was created. Start the server or run \`staffgate migrate\` to create it.`,
    );
  }
  const db = await openDatabaseOrExplain(config.databaseUrl, { poolSize: 2 });
  try {
    // Reading or writing a schema this build does not know would give wrong answers, not errors.
    if (!(await migrationsAreCurrent(db.kysely as never))) {
      throw new CommandError("The database is not migrated: run `staffgate migrate` first.");
    }
    const core = createCore({
      db,
      catalogs: config.catalogs,
      publicUrl: config.publicUrl,
      ...(config.breachedPasswords
        ? {
            breachedPasswords: createBreachedPasswords(config.breachedPasswords, {
              onUnavailable: (reason) =>
                process.stderr.write(
                  `warning: the breached-password lookup gave no answer (${reason}); the password was accepted\n`,
                ),
            }),
          }
        : {}),
    });
    try {
      const { problem } = await reviewTenantCatalogs(core, config.catalog);
      if (problem) throw new CommandError(problem);
      return await work(core);
    } finally {
      await core.close();
    }
  } finally {
    await db.destroy();
  }
}

/** The tenant named by `--tenant <slug>` (commands require the flag before opening the database). */
export async function tenantBySlug(core: Core, slug: string | undefined) {
  if (slug === undefined) throw new UsageError("--tenant is required");
  const tenant = await core.tenants.findTenantBySlug(slug);
  if (!tenant) throw new CommandError(`No tenant with slug "${slug}"`);
  return tenant;
}

/** The operator at the command line, acting on one tenant: what the audit records as the actor. */
export function operatorCtx(tenantId: string): Ctx {
  return { tenantId, actor: operatorActor, ip: null, userAgent: "staffgate-cli", requestId: null };
}

/**
 * A refusal from core as the command's message and exit 1: every field problem, each under the
 * flag or variable the operator set (`names`: API field → `--flag`), else core's message.
 */
export function refusal(error: unknown, names: Readonly<Record<string, string>> = {}): never {
  if (!isAppError(error)) throw error;
  const fields = error.errors ?? [];
  if (fields.length === 0) throw new CommandError(error.message);
  throw new CommandError(namedProblems(fields, names).join("\n"));
}
