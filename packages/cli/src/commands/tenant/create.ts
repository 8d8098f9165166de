/** `staffgate tenant create`: a tenant with its preset roles and first administrator, as the operator. */
import { randomBytes } from "node:crypto";
import { CreateTenantBody } from "@staffgate/contract";
import { loadCatalogs } from "@staffgate/core";
import { type Command, UsageError } from "../command.ts";
import { issuesOf, namedProblems, parseArgs, requireFlags } from "../flags.ts";
import { refusal, withCore } from "../open-core.ts";

const USAGE =
  "staffgate tenant create --slug s --name n --admin-username u --admin-email e --admin-first f --admin-last l [--preset p]";

/** The API's fields as this command's flags and variable, for its error messages. */
const NAMES: Readonly<Record<string, string>> = {
  slug: "--slug",
  name: "--name",
  catalogPreset: "--preset",
  "admin.username": "--admin-username",
  "admin.email": "--admin-email",
  "admin.firstName": "--admin-first",
  "admin.lastName": "--admin-last",
  "admin.password": "STAFFGATE_ADMIN_PASSWORD",
};

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = {
  values: ["slug", "name", "admin-username", "admin-email", "admin-first", "admin-last", "preset"],
} as const;

/** The catalogues serve would load (STAFFGATE_CATALOG's file besides the presets), or null when that
 * file does not load: then the command goes on and reports it as every command does. */
function knownCatalogues(): readonly string[] | null {
  try {
    return loadCatalogs(process.env.STAFFGATE_CATALOG || undefined).names();
  } catch {
    return null;
  }
}

export const tenantCreate: Command = {
  flags: FLAGS,
  usage: USAGE,
  summary: "Create a tenant and its administrator (password from STAFFGATE_ADMIN_PASSWORD or generated)",
  details: [
    "--preset: the permission catalogue preset (default: STAFFGATE_CATALOG's).",
    "STAFFGATE_ADMIN_PASSWORD: the administrator's password; unset, one is generated, printed once and must be changed at the first sign-in.",
  ].join("\n"),
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["slug", "name", "admin-username", "admin-email", "admin-first", "admin-last"]);
    // The password never comes from argv: command lines end up in shell history and `ps`.
    const given = process.env.STAFFGATE_ADMIN_PASSWORD;
    const password = given || randomBytes(18).toString("base64url");
    const parsed = CreateTenantBody.safeParse({
      slug: options.slug,
      name: options.name,
      ...(options.preset ? { catalogPreset: options.preset } : {}),
      admin: {
        username: options["admin-username"],
        email: options["admin-email"],
        firstName: options["admin-first"],
        lastName: options["admin-last"],
        password,
      },
    });
    if (!parsed.success) throw new UsageError(namedProblems(issuesOf(parsed.error.issues), NAMES));
    // A preset no catalogue of this deployment has is a bad value: said before the database opens.
    const known = knownCatalogues();
    if (options.preset && known && !known.includes(options.preset)) {
      throw new UsageError(`--preset: unknown catalogue; known: ${known.join(", ")}`);
    }
    return withCore(async (core) => {
      try {
        const { tenant } = await core.tenants.createTenant(
          { ip: null, userAgent: "staffgate-cli", requestId: null },
          parsed.data,
          { mustChangePassword: !given },
        );
        process.stdout.write(`Created tenant ${tenant.slug} (${tenant.id}), catalogue ${tenant.catalog}\n`);
      } catch (error) {
        refusal(error, NAMES);
      }
      if (!given) {
        process.stdout.write(
          `Administrator ${parsed.data.admin.username} password (shown once): ${password}\n`,
        );
      }
      return 0;
    });
  },
};
