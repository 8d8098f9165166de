/**
 * A refused save of grants (a role or a user's private role) in words, placed where it belongs:
 * the role rule it broke as a sentence, each `errors[]` entry beside its field, permission or
 * workspace row. Paths index the arrays that were sent (`workspaces.0.permissions.2`).
 */
import { StaffgateError } from "@staffgate/sdk";
import { problemMessage } from "../../api.ts";
import type { GrantOptions } from "./grantOptions.ts";
import type { GrantErrors } from "./grants.ts";
import { permissionWords, quotedKey } from "./permissionWords.ts";

const RULE_WORDS: Readonly<Record<string, string>> = {
  COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS:
    "A role that is collaborator at tenant level cannot have workspace rows: remove the rows or clear Collaborator.",
  COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS:
    "A role that is collaborator in a workspace cannot hold patient or collection permissions at tenant level.",
  FORBIDDEN_FOR_COLLABORATOR:
    "Permissions forbidden for collaborators cannot be granted where Collaborator is set.",
  WORKSPACE_ROW_TENANT_ONLY_PERMISSION: "Tenant-only permissions cannot be granted on a workspace row.",
};

/** The sentence above a form whose refusal is all said beside its fields (the API's title is not for people). */
export const FIELDS_MARKED = "Correct the fields marked below.";

export interface SaveProblem {
  /** Said above the form. */
  readonly summary: string;
  /** Beside the form's own fields (`name`, `description`, `collaborator`). */
  readonly fields: Readonly<Record<string, string>>;
  readonly grants: GrantErrors;
}

interface Sent {
  readonly permissions: readonly string[];
  readonly workspaces: readonly { workspaceId: string; permissions: readonly string[] }[];
}

const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: "Name",
  description: "Description",
  collaborator: "Collaborator",
};

export function saveProblem(error: unknown, sent: Sent, options: GrantOptions, what: string): SaveProblem {
  if (!(error instanceof StaffgateError)) return { summary: problemMessage(error), fields: {}, grants: {} };
  if (error.code === "PRECONDITION_FAILED") {
    return {
      summary: `Someone else changed this ${what} since you opened it. Close and open it again to see their changes, then make yours.`,
      fields: {},
      grants: {},
    };
  }
  // The API quotes permission keys and names workspaces by id; a person knows their labels.
  const inLabels = permissionWords(options.catalog, options.workspaces);
  const words = (m: string) => {
    const out = inLabels(m);
    return out.charAt(0).toUpperCase() + out.slice(1);
  };

  // A permission the request did not send (one it would take away) has no index: the key its
  // message quotes finds its box.
  const known = new Set(options.catalog.map((p) => p.key));
  const quoted = (m: string) => quotedKey(m, known);

  const fields: Record<string, string> = {};
  const tenant: string[] = [];
  const rows: string[] = [];
  const row: Record<string, string[]> = {};
  const perm: Record<string, string> = {};
  const other: string[] = [];
  for (const e of error.errors) {
    const parts = e.path.split(".");
    const [head, j, sub, i] = parts;
    if (head && head in FIELD_LABELS && parts.length === 1) {
      fields[head] = /^[a-z]/.test(e.message) ? `${FIELD_LABELS[head]} ${e.message}` : e.message;
    } else if (head === "permissions") {
      const key =
        j === undefined ? quoted(e.message) : sub === undefined ? sent.permissions[Number(j)] : undefined;
      if (key) perm[`tenant ${key}`] = words(e.message);
      else tenant.push(words(e.message));
    } else if (head === "workspaces" && j === undefined) {
      rows.push(words(e.message));
    } else if (head === "workspaces") {
      const r = sent.workspaces[Number(j)];
      const key =
        sub !== "permissions" ? undefined : i === undefined ? quoted(e.message) : r?.permissions[Number(i)];
      if (r && key) perm[`${r.workspaceId} ${key}`] = words(e.message);
      else if (r) row[r.workspaceId] = [...(row[r.workspaceId] ?? []), words(e.message)];
      else rows.push(words(e.message));
    } else {
      other.push(`${e.path}: ${e.message}`);
    }
  }

  let summary = problemMessage(error);
  if (error.code === "VALIDATION_FAILED" && other.length < error.errors.length) {
    summary = FIELDS_MARKED;
  } else if (error.code === "ROLE_RULE_VIOLATED") {
    const named = error.problem.rules ?? [error.problem.rule];
    const rules = (Array.isArray(named) ? named : []).map((r) => RULE_WORDS[String(r)]).filter(Boolean);
    summary = rules.length > 0 ? `This breaks a role rule. ${rules.join(" ")}` : summary;
  } else if (error.code === "PRIVILEGE_ESCALATION") {
    summary = words(summary);
  }
  if (other.length > 0) summary = `${summary} ${other.join("; ")}`;
  return { summary, fields, grants: { tenant, rows, row, perm } };
}
