/**
 * `staffgate user create --tenant <slug> --username u --email e --first f --last l --role <name or id>
 * [--workspaces all|slug;slug] [--public-url URL]`: one user, through the same checks as the API, as
 * the operator.
 * The password comes from STAFFGATE_USER_PASSWORD (never argv: command lines end up in shell
 * history and `ps`) and must then be changed at the first sign-in; without it the user is invited
 * (the link is in `staffgate outbox`, or the server's log without SMTP), built from
 * STAFFGATE_PUBLIC_URL or `--public-url` as the server builds its links.
 */
import { CreateUserBody } from "@staffgate/contract";
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { CommandError, refusal, withCoreFlags } from "../open-core.ts";
import { actAsOperator } from "./operator.ts";

const USAGE =
  "staffgate user create --tenant s --username u --email e --first f --last l --role r [--workspaces all|slug;slug] [--public-url <url>]";

export const userCreate: Command = {
  usage: USAGE,
  summary: "Create a user (password from STAFFGATE_USER_PASSWORD, else an invitation)",
  run(args) {
    const { options } = parseArgs(args, [
      "tenant",
      "username",
      "email",
      "first",
      "last",
      "role",
      "workspaces",
      "public-url",
    ]);
    const text = (key: string) => (typeof options[key] === "string" ? options[key] : undefined);
    return withCoreFlags({ publicUrl: options["public-url"] }, async (core) => {
      const { ctx, caller } = await actAsOperator(core, options.tenant);
      const names = await core.userCsv
        .resolveNames(ctx, { role: text("role"), workspaces: text("workspaces") ?? "all" })
        .catch(refusal);
      const password = process.env.STAFFGATE_USER_PASSWORD || undefined;
      const parsed = CreateUserBody.safeParse({
        username: text("username"),
        email: text("email"),
        firstName: text("first"),
        lastName: text("last"),
        ...names,
        ...(password ? { password, mustChangePassword: true } : {}),
      });
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
        throw new CommandError(`Usage: ${USAGE}\n${problems}`, 2);
      }
      try {
        const user = await core.users.createUser(ctx, caller, parsed.data);
        process.stdout.write(
          `Created user ${user.username} (${user.id}), ${user.status === "invited" ? "invited: the link is in `staffgate outbox`" : "active; the password must be changed at the first sign-in"}\n`,
        );
        return 0;
      } catch (error) {
        refusal(error);
      }
    });
  },
};
