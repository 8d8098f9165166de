/**
 * `staffgate user create --tenant <slug> --username u --email e --first f --last l --role <name or id>
 * [--workspaces all|slug;slug]`: one user, through the same checks as the API, as the operator.
 * The password comes from STAFFGATE_USER_PASSWORD (never argv: command lines end up in shell
 * history and `ps`) and must then be changed at the first sign-in; without it the user is invited
 * (the link is in `staffgate outbox`, or the server's log without SMTP).
 */
import { CreateUserBody } from "@staffgate/contract";
import { isAppError } from "@staffgate/core";
import type { Command } from "../command.ts";
import { parseArgs } from "../command.ts";
import { CommandError, withCore } from "../open-core.ts";
import { actAsOperator } from "./operator.ts";

const USAGE =
  "staffgate user create --tenant s --username u --email e --first f --last l --role r [--workspaces all|slug;slug]";

export const userCreate: Command = {
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
    ]);
    const text = (key: string) => (typeof options[key] === "string" ? options[key] : undefined);
    return withCore(async (core) => {
      const { ctx, caller } = await actAsOperator(core, options.tenant);
      const roles = (await core.roles.listRoles(ctx, { limit: 200 })).items;
      const roleGiven = text("role");
      const role = roles.find((r) => r.id === roleGiven || r.name.toLowerCase() === roleGiven?.toLowerCase());
      const wsGiven = text("workspaces") ?? "all";
      let workspaceAccess: "all" | string[] = "all";
      if (wsGiven.toLowerCase() !== "all") {
        const all = (await core.workspaces.listWorkspaces(ctx, { limit: 200 })).items;
        workspaceAccess = wsGiven.split(";").map((s) => {
          const found = all.find((w) => w.id === s.trim() || w.slug === s.trim().toLowerCase());
          if (!found) throw new CommandError(`No workspace "${s.trim()}"`);
          return found.id;
        });
      }
      const password = process.env.STAFFGATE_USER_PASSWORD || undefined;
      const parsed = CreateUserBody.safeParse({
        username: text("username"),
        email: text("email"),
        firstName: text("first"),
        lastName: text("last"),
        roleId: role?.id ?? roleGiven,
        workspaceAccess,
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
        if (!isAppError(error)) throw error;
        const field = error.errors?.[0];
        throw new CommandError(field ? `${field.path}: ${field.message}` : error.message);
      }
    });
  },
};
