/**
 * `staffgate user create --tenant <slug> --username u --email e --first f --last l --role <name or id>
 * [--workspaces all|none|slug;slug] [--public-url URL]`: one user, through the same checks as the API, as
 * the operator.
 * The password comes from STAFFGATE_USER_PASSWORD (never argv: command lines end up in shell
 * history and `ps`) and must then be changed at the first sign-in; without it the user is invited
 * (the link is in `staffgate outbox`, or the server's log without SMTP), built from
 * STAFFGATE_PUBLIC_URL or `--public-url` as the server builds its links.
 */
import { CreateUserBody } from "@staffgate/contract";
import { type Command, UsageError } from "../command.ts";
import { issuesOf, namedProblems, parseArgs, requireFlags } from "../flags.ts";
import { refusal, withCoreFlags } from "../open-core.ts";
import { actAsOperator } from "./operator.ts";

const USAGE =
  "staffgate user create --tenant s --username u --email e --first f --last l --role r [--workspaces all|none|slug;slug] [--public-url <url>]";

/** The API's fields as this command's flags and variable, for its error messages. */
const NAMES: Readonly<Record<string, string>> = {
  username: "--username",
  email: "--email",
  firstName: "--first",
  lastName: "--last",
  roleId: "--role",
  workspaceAccess: "--workspaces",
  password: "STAFFGATE_USER_PASSWORD",
};

/** The fields a command line gives, checkable before the database is opened. */
const OwnFields = CreateUserBody.pick({ username: true, email: true, firstName: true, lastName: true });

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = {
  values: ["tenant", "username", "email", "first", "last", "role", "workspaces", "public-url"],
} as const;

export const userCreate: Command = {
  flags: FLAGS,
  usage: USAGE,
  summary: "Create a user (password from STAFFGATE_USER_PASSWORD, else an invitation)",
  details: [
    "--role: a role's name (any case) or id.",
    "--workspaces: all, none, or workspace slugs (or ids) separated by ';'. Without it the user has every workspace (all).",
    "STAFFGATE_USER_PASSWORD: the password, to be changed at the first sign-in; unset, the user is invited (the link is in `staffgate outbox`).",
  ].join("\n"),
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant", "username", "email", "first", "last", "role"]);
    const own = OwnFields.safeParse({
      username: options.username,
      email: options.email,
      firstName: options.first,
      lastName: options.last,
    });
    if (!own.success) throw new UsageError(namedProblems(issuesOf(own.error.issues), NAMES));
    return withCoreFlags({ publicUrl: options["public-url"] }, async (core) => {
      const { ctx, caller } = await actAsOperator(core, options.tenant);
      const names = await core.userCsv
        .resolveNames(ctx, { role: options.role, workspaces: options.workspaces ?? "all" })
        .catch((error: unknown) => refusal(error, NAMES));
      const password = process.env.STAFFGATE_USER_PASSWORD || undefined;
      const parsed = CreateUserBody.safeParse({
        ...own.data,
        ...names,
        ...(password ? { password, mustChangePassword: true } : {}),
      });
      if (!parsed.success) throw new UsageError(namedProblems(issuesOf(parsed.error.issues), NAMES));
      try {
        const user = await core.users.createUser(ctx, caller, parsed.data);
        process.stdout.write(
          `Created user ${user.username} (${user.id}), ${user.status === "invited" ? "invited: the link is in `staffgate outbox`" : "active; the password must be changed at the first sign-in"}\n`,
        );
        return 0;
      } catch (error) {
        refusal(error, NAMES);
      }
    });
  },
};
