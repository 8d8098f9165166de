/**
 * Whether a change of grants stays within what the editor holds, judged as the server judges a
 * role's update (core roles.service.ts): what it adds and what it takes away, implications
 * followed, scope by scope. Since 2026-12-05 the server refuses taking away a permission the
 * editor does not hold (decisions.md, Roles), so the editor offers such a change disabled, with why,
 * instead of a Save that answers 403. A row's scope holds the role's tenant-level grants too, so
 * moving a permission from a row to tenant level takes nothing away there.
 *
 * Where it differs, it is stricter, never looser: `holds` at tenant level also asks for the
 * permission in every workspace where the editor's own per-workspace role replaces their role,
 * while the server weighs such a workspace only for what is added there; moving a permission the
 * editor holds at tenant level from a row of such a workspace to tenant level is offered disabled
 * though the server would take it.
 */
import type { Analysed, Grants } from "./grants.ts";

/** Whether the editor holds a permission at tenant level, or in a workspace (as a collaborator there). */
export type Holds = (key: string, workspaceId?: string, collaborator?: boolean) => boolean;

interface Granted {
  /** null: tenant level. */
  readonly scope: string | null;
  readonly key: string;
  /** Patient-scoped and granted only as a collaborator (restricted to granted patients). */
  readonly restricted: boolean;
}

function capability(g: Grants, scope: string | null, a: Analysed) {
  const keys = new Set<string>();
  const restricted = new Set<string>();
  const add = (perms: readonly string[], collaborator: boolean) => {
    for (const k of perms) {
      for (const q of a.closure.get(k) ?? []) {
        if (collaborator && q.patientScoped) {
          if (!keys.has(q.key)) restricted.add(q.key);
        } else {
          keys.add(q.key);
          restricted.delete(q.key);
        }
      }
    }
  };
  add(g.permissions, g.collaborator);
  const row = scope === null ? undefined : g.workspaces.find((w) => w.workspaceId === scope);
  if (row) add(row.permissions, row.collaborator);
  return { keys, restricted };
}

/** What `to` grants, scope by scope, that `from` does not. */
function beyond(from: Grants, to: Grants, a: Analysed): Granted[] {
  const out: Granted[] = [];
  const check = (scope: string | null, perms: readonly string[], collaborator: boolean) => {
    const cap = capability(from, scope, a);
    const seen = new Set<string>();
    for (const k of perms) {
      for (const q of a.closure.get(k) ?? []) {
        if (seen.has(q.key)) continue;
        seen.add(q.key);
        const restricted = collaborator && q.patientScoped;
        if (!(cap.keys.has(q.key) || (restricted && cap.restricted.has(q.key)))) {
          out.push({ scope, key: q.key, restricted });
        }
      }
    }
  };
  check(null, to.permissions, to.collaborator);
  for (const row of to.workspaces) check(row.workspaceId, row.permissions, row.collaborator);
  return out;
}

/**
 * The permissions, in catalogue order, that going from `before` to `after` would add or take away
 * where the editor does not hold them; empty: the change is theirs to make.
 */
export function unheldChange(before: Grants, after: Grants, holds: Holds, a: Analysed): string[] {
  const unheld = (g: Granted) => !(g.scope === null ? holds(g.key) : holds(g.key, g.scope, g.restricted));
  const keys = new Set(
    [...beyond(before, after, a), ...beyond(after, before, a)].filter(unheld).map((g) => g.key),
  );
  return [...a.label.keys()].filter((k) => keys.has(k));
}

/** "View PHI and Read Collections": labels for a sentence. */
export function labelsOf(keys: readonly string[], a: Analysed): string {
  const named = keys.map((k) => a.label.get(k) ?? k);
  return named.length <= 1 ? (named[0] ?? "") : `${named.slice(0, -1).join(", ")} and ${named.at(-1)}`;
}
