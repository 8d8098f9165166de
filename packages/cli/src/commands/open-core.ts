/** Core on DATABASE_URL for commands that work on the database directly, refusing a stale schema. */
import {
  type Core,
  type Ctx,
  createCore,
  isAppError,
  loadCatalogs,
  migrationsAreCurrent,
  openDatabase,
  operatorActor,
} from "@staffgate/core";
import { loadConfig, unloadedCatalogsProblem } from "@staffgate/server";
import { UsageError } from "./command.ts";
import { missingSqliteFile } from "./existing-database.ts";

export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}

/** Runs `work` with core, closing the database afterwards; failures become a message and an exit code. */
export function withCore(work: (core: Core) => Promise<number>): Promise<number> {
  return withCoreFlags({}, work);
}

/**
 * withCore, with a command's flags over the environment. Core is configured as `serve` configures
 * it (catalogues, the public URL of emailed links), so a link a command emails opens that server.
 */
export async function withCoreFlags(
  flags: { publicUrl?: string | true | undefined },
  work: (core: Core) => Promise<number>,
): Promise<number> {
  if (flags.publicUrl === true) throw new UsageError("--public-url needs a value");
  const config = loadConfig(
    flags.publicUrl ? { ...process.env, STAFFGATE_PUBLIC_URL: flags.publicUrl } : process.env,
  );
  const missing = missingSqliteFile(config.databaseUrl);
  if (missing) {
    process.stderr.write(
      `The database ${missing} does not exist (DATABASE_URL): nothing was created. Start the server or run \`staffgate migrate\` to create it.\n`,
    );
    return 1;
  }
  const db = openDatabase(config.databaseUrl, { poolSize: 2 });
  try {
    // Reading or writing a schema this build does not know would give wrong answers, not errors.
    if (!(await migrationsAreCurrent(db.kysely as never))) {
      throw new CommandError("The database is not migrated: run `staffgate migrate` first.");
    }
    const core = createCore({ db, catalogs: loadCatalogs(config.catalog), publicUrl: config.publicUrl });
    try {
      const unloaded = await unloadedCatalogsProblem(core, config.catalog);
      if (unloaded) throw new CommandError(unloaded);
      return await work(core);
    } finally {
      await core.close();
    }
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  } finally {
    await db.destroy();
  }
}

/** The tenant named by `--tenant <slug>`. */
export async function tenantBySlug(core: Core, slug: string | true | undefined) {
  if (typeof slug !== "string" || slug === "") throw new CommandError("--tenant <slug> is required", 2);
  const tenant = await core.tenants.findTenantBySlug(slug);
  if (!tenant) throw new CommandError(`No tenant with slug "${slug}"`);
  return tenant;
}

/** The operator at the command line, acting on one tenant: what the audit records as the actor. */
export function operatorCtx(tenantId: string): Ctx {
  return { tenantId, actor: operatorActor, ip: null, userAgent: "staffgate-cli", requestId: null };
}

/** A refusal from core as the command's message (the first field problem, if any) and exit 1. */
export function refusal(error: unknown): never {
  if (!isAppError(error)) throw error;
  const field = error.errors?.[0];
  throw new CommandError(field ? `${field.path}: ${field.message}` : error.message);
}
