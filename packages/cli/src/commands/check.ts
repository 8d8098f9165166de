/**
 * `staffgate check --tenant <slug> --user <username or id> --permission <key>
 * [--workspace <slug or id>] [--patient <ref>] [--explain]`: the decision the API's `/check` (or,
 * with --explain, `/explain`) gives, made by the same code (core.access.check / explain).
 *
 * Output: `allowed|denied <REASON_CODE>: <message>`, then with --explain one step per line.
 * Exit code: 0 allowed, 1 denied (or the tenant is unknown), 2 usage. An unknown user is not an
 * error but the decision's own answer, as on the API: denied, USER_NOT_FOUND, exit 1. An unknown
 * workspace likewise: denied, WORKSPACE_NOT_FOUND.
 */
import { CheckBody } from "@staffgate/contract";
import { type Core, type Ctx, operatorCaller } from "@staffgate/core";
import type { Command } from "./command.ts";
import { parseArgs } from "./command.ts";
import { operatorCtx, tenantBySlug, withCore } from "./open-core.ts";

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

export const check: Command = {
  usage: USAGE,
  summary: "May this user do this? Prints the decision (exit 0 allowed, 1 denied) [--explain]",
  run(args) {
    const { options } = parseArgs(args, ["tenant", "user", "permission", "workspace", "patient", "explain"]);
    const text = (key: string) => (typeof options[key] === "string" ? options[key] : undefined);
    const usage = (problems: string[]) => {
      process.stderr.write(`Usage: ${USAGE}\n${problems.map((p) => `  ${p}\n`).join("")}`);
      return Promise.resolve(2);
    };
    const missing = (["tenant", "user", "permission"] as const).filter((k) => !text(k));
    if (missing.length > 0) return usage(missing.map((k) => `--${k}: is required`));
    if (options.explain !== undefined && options.explain !== true) {
      return usage(["--explain: takes no value"]);
    }
    return withCore(async (core) => {
      const tenant = await tenantBySlug(core, options.tenant);
      // The operator asked: recorded as such when the decision is audited (patient grants, elevations).
      const ctx = operatorCtx(tenant.id);
      const policy = await core.access.snapshot(tenant.id);
      const workspace = text("workspace");
      const parsed = CheckBody.safeParse({
        userId: userIdOf(policy, text("user")!),
        permission: text("permission"),
        ...(workspace ? { workspaceId: await workspaceIdOf(core, ctx, policy, workspace) } : {}),
        ...(text("patient") ? { patientRef: text("patient") } : {}),
      });
      if (!parsed.success) {
        return usage(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
      }
      const caller = operatorCaller(tenant.id, policy.catalog, policy);
      let answer: { allowed: boolean; reason: { code: string; message: string } };
      let steps: readonly string[] = [];
      if (options.explain === true) {
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
