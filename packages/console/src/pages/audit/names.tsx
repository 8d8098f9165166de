/**
 * Names for the ids an audit event's changes carry (a user's `roleId`, `workspaceRoles`, a grant's
 * `workspaceId`, a token's `userId`): roles and workspaces as the tenant lists them, users as the
 * page's events name them. A named id shows its name, the id kept in the element (`<data value>`)
 * and its tooltip; an id nobody names (a private role, a removed workspace) shows as it is.
 */

import type { Staffgate } from "@staffgate/sdk";
import { createElement, Fragment, type ReactNode } from "react";
import { listAll } from "../../listAll.ts";
import { listAllWorkspaces } from "../workspaces/useWorkspaces.ts";
import type { AuditEvent } from "./filters.ts";

export interface AuditName {
  readonly name: string;
  /** What the tooltip says besides the id: "Role", "Workspace oncology", "User". */
  readonly kind: string;
}

export type AuditNames = ReadonlyMap<string, AuditName>;

/** The users the page's events name: who acted, and users they acted on. */
export function usersOf(events: readonly AuditEvent[]): Map<string, AuditName> {
  const out = new Map<string, AuditName>();
  for (const e of events) {
    if (e.actor.type === "user" && e.actor.id && e.actor.username) {
      out.set(e.actor.id, { name: e.actor.username, kind: "User" });
    }
    if (e.target?.type === "user" && e.target.id && e.target.label && !out.has(e.target.id)) {
      out.set(e.target.id, { name: e.target.label, kind: "User" });
    }
  }
  return out;
}

/**
 * The tenant's roles and workspaces by id. Either list may be refused (roles need users.view, an
 * auditor may hold only audit.view): its ids then show as they are.
 */
export async function loadNames(api: Staffgate): Promise<Map<string, AuditName>> {
  const [roles, workspaces] = await Promise.all([
    listAll((page) => api.roles.list(page)).catch(() => []),
    listAllWorkspaces(api).catch(() => []),
  ]);
  const out = new Map<string, AuditName>();
  for (const r of roles) out.set(r.id, { name: r.name, kind: "Role" });
  for (const w of workspaces) out.set(w.id, { name: w.name, kind: `Workspace ${w.slug}` });
  return out;
}

function Named({ id, name }: { id: string; name: AuditName }) {
  return (
    <data className="audit-named" value={id} title={`${name.kind} ${id}`}>
      {name.name}
    </data>
  );
}

function joined(parts: readonly ReactNode[]): ReactNode[] {
  return parts.flatMap((p, i) => (i === 0 ? [p] : [", ", p]));
}

/**
 * A before/after value as text (never markup): a string as it is, anything else as JSON, with
 * every id the names know replaced by its name.
 */
export function namedValue(value: unknown, names: AuditNames, top = true): ReactNode {
  if (value === undefined) return "";
  if (value === null) return top ? "(none)" : "null";
  if (typeof value === "string") {
    const name = names.get(value);
    if (name) return <Named id={value} name={name} />;
    return top ? value : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => namedValue(v, names, false));
    return createElement(Fragment, null, "[", ...joined(items), "]");
  }
  if (typeof value === "object") {
    const fields = Object.entries(value as Record<string, unknown>).map(([k, v]) =>
      createElement(Fragment, null, `${JSON.stringify(k)}: `, namedValue(v, names, false)),
    );
    return createElement(Fragment, null, "{", ...joined(fields), "}");
  }
  return JSON.stringify(value) ?? String(value);
}

/** A failed sign-in's recorded reason (`auth.login.failed`), in words. */
const FAILURE_WORDS: Readonly<Record<string, string>> = {
  unknown_user: "No such user (or practice)",
  locked: "The account was locked",
  wrong_password: "Wrong password",
  no_password: "The account has no password yet",
  not_active: "The account is not active",
  second_factor_missing: "Right password, no two-factor code",
  second_factor_invalid: "Wrong two-factor code",
  changed_meanwhile: "The account changed while it was checked",
};

/**
 * Names that only the event itself can give: the private role a `user.permissions_changed` event
 * moved the user to (private roles are in no list), and a failed sign-in's reason in words.
 */
export function eventNames(event: AuditEvent): Map<string, AuditName> {
  const out = new Map<string, AuditName>();
  const changes = (event.changes ?? {}) as Record<string, { before?: unknown; after?: unknown }>;
  if (event.action === "user.permissions_changed" && typeof changes.roleId?.after === "string") {
    out.set(changes.roleId.after, { name: "Private role", kind: "Private role" });
  }
  if (event.action === "auth.login.failed" && typeof changes.reason?.after === "string") {
    const words = FAILURE_WORDS[changes.reason.after];
    if (words) out.set(changes.reason.after, { name: words, kind: "Reason" });
  }
  return out;
}
