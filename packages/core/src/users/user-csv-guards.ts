/**
 * The rules of the API's create and edit that a CSV row can break, checked without writing so that
 * a row reports them together with its other problems: work roles, an archived user's fields (its
 * roles and workspaces may change, as through the API), one's own role, privilege escalation, and a
 * target who holds more than the importer.
 */
import type { ErrorCode, User, WorkRole } from "@staffgate/contract";
import { isOwnAccount } from "../auth/caller.ts";
import type { StatusChange } from "./user-csv.rules.ts";
import { columnOf, errorsOf, type ImportRun, type RowError, refusalCodeOf } from "./user-csv-run.ts";
import {
  checkWorkRole,
  checkWorkspaceRoles,
  ensureCoversRole,
  ensureCoversWorkspaceRoles,
  loadFormalRole,
} from "./user-input.ts";
import { loadTargetWithin } from "./user-lifecycle.service.ts";
import { ARCHIVED_EDITABLE, extendsExpiry } from "./users-update.ts";

/**
 * The work-role rule (user-input.ts), and with an unknown work role, a professional ID that no
 * work role of the tenant could carry or only some can: both said at once.
 */
export function workRoleProblems(
  workRoles: readonly WorkRole[],
  workRole: string | null,
  professionalId: string | null,
): RowError[] {
  try {
    checkWorkRole(workRoles, workRole, professionalId);
    return [];
  } catch (error) {
    const problems = errorsOf(error);
    if (problems[0]?.column === "workRole") {
      const names = workRoles.map((w) => w.name).join(", ");
      problems[0] = {
        column: "workRole",
        message: `"${workRole}" is not one of the tenant's work roles: ${names}`,
      };
      if (professionalId !== null) {
        const carriers = workRoles.filter((w) => w.professionalIdLabel !== null).map((w) => w.name);
        problems.push({
          column: "professionalId",
          message:
            carriers.length === 0
              ? "is only allowed for a work role with a professional ID, and the tenant has none"
              : `is only allowed for a work role with a professional ID: ${carriers.join(", ")}`,
        });
      }
    }
    return problems;
  }
}

/** The API's guards the row would meet: an archived user, own role, escalation, a target who holds more. */
export async function checkGuards(
  run: ImportRun,
  existing: User | null,
  patch: Record<string, unknown>,
  statusChange: StatusChange,
  add: (column: string, message: string) => void,
  /** A refusal of what the importer may not do, by the code the API would answer (audited). */
  deny: (code: ErrorCode) => void,
): Promise<void> {
  // Core names workspaces by id ("users.manage in wsp_…"); a file names them by slug.
  const bySlug = (message: string) => message.replace(/\bwsp_[\w-]+/g, (id) => run.look.workspaceSlug(id));
  const refused = (error: unknown) => {
    const code = refusalCodeOf(error);
    if (code) deny(code);
  };
  const collect = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      refused(error);
      for (const e of errorsOf(error)) add(e.column, bySlug(e.message));
    }
  };
  const edits = Object.keys(patch).length > 0;
  if (existing?.status === "archived") {
    // As the API's edit: its role and workspaces may change, the rest waits for a restore.
    for (const key of Object.keys(patch).filter((k) => !ARCHIVED_EDITABLE.has(k))) {
      add(
        columnOf(key),
        "cannot change while the user is archived: restore it in the console or the API first",
      );
    }
  }
  const own = existing !== null && isOwnAccount(run.caller, existing.id);
  if (own && "roleId" in patch) {
    add("role", "is your own role: another administrator must change it");
    deny("SELF_ROLE_CHANGE");
  }
  const expiry = "expiresAt" in patch ? expiryOf(patch.expiresAt) : undefined;
  if (own && expiry !== undefined && extendsExpiry(existing.expiresAt, expiry)) {
    add("expiresAt", "is your own account's expiry: it may only come sooner");
    deny("SELF_ACTION_FORBIDDEN");
  }
  if (own && "workspaceRoles" in patch) {
    add("workspaceRoles", "are your own per-workspace roles: another administrator must change them");
    deny("SELF_ROLE_CHANGE");
  }
  if (typeof patch.roleId === "string" && !own) {
    const roleId = patch.roleId;
    await collect(async () =>
      ensureCoversRole(run.caller, await run.holder(), await loadFormalRole(run.trx, run.tenantId, roleId)),
    );
  }
  if (Array.isArray(patch.workspaceRoles) && !own) {
    const wanted = patch.workspaceRoles as { workspaceId: string; roleId: string }[];
    await collect(async () => {
      const roles = await checkWorkspaceRoles(run.trx, run.tenantId, wanted);
      const holder = await run.holder();
      // Assignments the user already has are not re-judged (users-update.ts); each added one is
      // named by the file's own words.
      for (const a of wanted) {
        if (existing?.workspaceRoles.some((b) => b.workspaceId === a.workspaceId && b.roleId === a.roleId)) {
          continue;
        }
        const pair = `${run.look.workspaceSlug(a.workspaceId)}=${run.look.workspaceRoleName(a.roleId)}`;
        try {
          ensureCoversWorkspaceRoles(run.caller, holder, [a], roles);
        } catch (error) {
          refused(error);
          for (const e of errorsOf(error)) add("workspaceRoles", `${pair} ${bySlug(e.message)}`);
        }
      }
    });
  }
  if (existing !== null && !own && (edits || statusChange !== null)) {
    await collect(() => loadTargetWithin(run.trx, run.caller, existing.id, undefined));
  }
}

/** A cell's expiry as the API stores it: null for none, undefined when unreadable (the field rule says so). */
function expiryOf(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value !== "string") return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}
