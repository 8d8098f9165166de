/**
 * `staffgate check --tenant <slug> --user <username or id> --permission <key>
 * [--workspace <slug or id>] [--patient <ref>] [--explain]`: the decision the API's `/check` (or,
 * with --explain, `/explain`) gives, made by the same code (core.access.check / explain).
 *
 * Output: `allowed|denied <REASON_CODE>: <message>`, then with --explain one step per line.
 * Exit code: 0 allowed, 1 denied, 2 usage, 3 no answer (an unknown tenant, a database that cannot
 * be opened): a script that treats 1 as "denied" must not take a failure for a denial. An unknown
 * user is not a failure but the decision's own answer, as on the API: denied, USER_NOT_FOUND,
 * exit 1. An unknown workspace likewise: denied, WORKSPACE_NOT_FOUND.
 */
import { CheckBody } from "@staffgate/contract";
import { type Core, type Ctx, operatorCaller } from "@staffgate/core";
import { type Command, UsageError } from "./command.ts";
import { issuesOf, namedProblems, parseArgs, requireFlags } from "./flags.ts";
import { operatorCtx, tenantBySlug, withCoreFlags } from "./open-core.ts";

/** check's exit code when it could not answer: 1 is "denied". */
const CHECK_FAILED = 3;

const USAGE =
  "staffgate check --tenant <slug> --user <username or id> --permission <key> [--workspace <slug or id>] [--patient <ref>] [--explain]";

type Snapshot = Awaited<ReturnType<Core["access"]["snapshot"]>>;

/** A username (any case) or a user id; anything else is passed on as an id, which the decision reports. */
function userIdOf(policy: Snapshot, given: string): string {
  if (policy.users.has(given)) return given;
  const folded = given.toLowerCase();
  for (const user of policy.users.values()) if (user.username.toLowerCase() === folded) return user.id;
  return given;
}

/** A workspace slug or id; anything else is passed on as an id (the decision: WORKSPACE_NOT_FOUND). */
async function workspaceIdOf(core: Core, ctx: Ctx, policy: Snapshot, given: string): Promise<string> {
  if (policy.workspaces.has(given)) return given;
  const { items } = await core.workspaces.listWorkspaces(ctx, { limit: 200, q: given });
  return items.find((w) => w.slug.toLowerCase() === given.toLowerCase())?.id ?? given;
}

/** The flag each field of the question comes from, named in a refusal. */
const FLAG_OF = {
  userId: "--user",
  permission: "--permission",
  workspaceId: "--workspace",
  patientRef: "--patient",
};

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = {
  values: ["tenant", "user", "permission", "workspace", "patient"],
  switches: ["explain"],
} as const;

export const check: Command = {
  flags: FLAGS,
  usage: USAGE,
  summary:
    "May this user do this? Prints the decision (exit 0 allowed, 1 denied, 2 usage, 3 no answer) [--explain]",
  details: [
    "Without --workspace the question is tenant-wide; without --patient it names no patient.",
    "Exit code: 0 allowed, 1 denied, 2 usage, 3 could not answer (unknown tenant, database unreachable).",
  ].join("\n"),
  run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["tenant", "user", "permission"]);
    // What can be judged without the database is, before it is opened (README: a bad value is a
    // usage error, exit 2, even where the database cannot be reached); the user and workspace are
    // names until the tenant's policy resolves them.
    const { patient } = options;
    const plain = CheckBody.pick({ permission: true, patientRef: true }).safeParse({
      permission: options.permission,
      ...(patient ? { patientRef: patient } : {}),
    });
    if (!plain.success) throw new UsageError(namedProblems(issuesOf(plain.error.issues), FLAG_OF));
    return withCoreFlags({ failureCode: CHECK_FAILED }, async (core) => {
      const tenant = await tenantBySlug(core, options.tenant);
      // The operator asked: recorded as such when the decision is audited (patient grants, elevations).
      const ctx = operatorCtx(tenant.id);
      const policy = await core.access.snapshot(tenant.id);
      const { workspace } = options;
      const parsed = CheckBody.safeParse({
        userId: userIdOf(policy, options.user!),
        permission: options.permission,
        ...(workspace ? { workspaceId: await workspaceIdOf(core, ctx, policy, workspace) } : {}),
        ...(patient ? { patientRef: patient } : {}),
      });
      if (!parsed.success) throw new UsageError(namedProblems(issuesOf(parsed.error.issues), FLAG_OF));
      const caller = operatorCaller(tenant.id, policy.catalog, policy);
      let answer: { allowed: boolean; reason: { code: string; message: string } };
      let steps: readonly string[] = [];
      if (options.explain) {
        const explained = await core.access.explain(ctx, caller, parsed.data);
        answer = explained;
        steps = explained.steps;
      } else {
        answer = await core.access.check(ctx, caller, parsed.data);
      }
      const { allowed, reason } = answer;
      const lines = [
        `${allowed ? "allowed" : "denied"} ${reason.code}: ${reason.message}`,
        ...steps.map((step, i) => `  ${i + 1}. ${step}`),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
      return allowed ? 0 : 1;
    });
  },
};
