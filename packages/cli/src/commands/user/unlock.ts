/**
 * `staffgate user unlock --tenant <slug> --user <username, email or id>`: the way back for an
 * administrator locked out by failed sign-ins when no other administrator can unlock them
 * (PRODUCT.md §2: the last administrator must not stay locked out). The same use case as the
 * API's unlock, audited as the operator.
 */
import type { Command } from "../command.ts";
import { parseArgs, requireFlags } from "../flags.ts";
import { CommandError, refusal, withCore } from "../open-core.ts";
import { actAsOperator } from "./operator.ts";

const USAGE = "staffgate user unlock --tenant <slug> --user <username, email or id>";

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = { values: ["tenant", "user"] } as const;

export const userUnlock: Command = {
  flags: FLAGS,
  usage: USAGE,
  summary: "Unlock a user locked by failed sign-ins (e.g. the last administrator)",
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant", "user"]);
    const given = options.user!;
    return withCore(async (core) => {
      const { ctx, caller } = await actAsOperator(core, options.tenant);
      const folded = given.toLowerCase();
      const { items } = await core.users.listUsers(ctx, {
        limit: 200,
        status: "all",
        q: given,
        sort: "name",
      });
      const user =
        items.find((u) => u.username.toLowerCase() === folded || u.email.toLowerCase() === folded) ??
        items.find((u) => u.id === given) ??
        (await core.users.getUser(ctx, given).catch(() => undefined));
      if (!user) throw new CommandError(`No user "${given}" in tenant ${options.tenant}`, 1);
      try {
        const after = await core.userLifecycle.unlockUser(caller, ctx, user.id);
        process.stdout.write(
          user.locked ? `Unlocked ${after.username} (${after.id})\n` : `${after.username} was not locked\n`,
        );
        return 0;
      } catch (error) {
        refusal(error);
      }
    });
  },
};
