/**
 * The Actions menu of a user row: which actions apply to a user (the caller's permissions, the
 * user's status and history, never the self-refused ones on oneself, and on a user holding more
 * than the caller only a look), what each says, and how each runs. The server decides in the end;
 * hiding what would be refused keeps the menu honest.
 */
import { type Staffgate, StaffgateError } from "@staffgate/sdk";
import type { User } from "../../types.ts";
import type { MenuItem } from "./ActionsMenu.tsx";

export type ActionId =
  | "edit"
  | "permissions"
  | "effective"
  | "unlock"
  | "random-password"
  | "set-password"
  | "reset-link"
  | "compromised"
  | "resend-invitation"
  | "reset-mfa"
  | "end-sessions"
  | "deactivate"
  | "reactivate"
  | "archive"
  | "restore"
  | "purge";

export interface Caller {
  readonly can: (permission: string) => boolean;
  readonly userId: string;
  /** Whether the practice lets an administrator type a user's password (`/auth/me` practice). */
  readonly typedPasswordsAllowed: boolean;
  /**
   * Why `user` is beyond the caller, completing "<name> …" ("holds permissions you do not: View
   * PHI, Read Patients and 2 more", "is active in workspaces you are not: Oncology"); null when
   * nothing (or nothing known: the server still judges).
   */
  readonly beyond: (user: User) => string | null;
}

/** The words of a confirmation: what will happen, and the confirming button's name. */
export interface Confirmation {
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  readonly danger: boolean;
}

export interface ActionDef {
  readonly id: ActionId;
  readonly label: string;
  /** The menu's groups, separated: open something, credentials, lifecycle. */
  readonly group: 0 | 1 | 2;
  readonly applies: (user: User, caller: Caller) => boolean;
  /** Runs the action and says what happened; absent for the ones that open a page or a dialog. */
  readonly run?: (api: Staffgate, user: User) => Promise<string>;
  /** Asked before `run`. */
  readonly confirm?: (user: User) => Confirmation;
}

const other = (u: User, c: Caller) => u.id !== c.userId;
const manage = (c: Caller) => c.can("users.manage");
const credentials = (c: Caller) => c.can("users.credentials");
const v = (u: User) => ({ ifMatch: u.version });
/** Every confirmed action is one that cannot simply be taken back: its button says so (danger). */
const destructive =
  (title: string, confirmLabel: string, body: (u: User) => string) =>
  (u: User): Confirmation => ({ title, body: body(u), confirmLabel, danger: true });

export const ACTIONS: readonly ActionDef[] = [
  // An archived user's Edit changes its roles only (the rest waits for a restore).
  { id: "edit", label: "Edit", group: 0, applies: (_u, c) => manage(c) },
  {
    id: "permissions",
    label: "Edit Permissions",
    group: 0,
    applies: (u, c) => manage(c) && c.can("roles.manage") && other(u, c) && u.status !== "archived",
  },
  { id: "effective", label: "Effective permissions", group: 0, applies: () => true },
  {
    id: "unlock",
    label: "Unlock",
    group: 1,
    applies: (u, c) => credentials(c) && u.locked,
    run: async (api, u) => {
      await api.userActions.unlock(u.id, v(u));
      return `${u.displayName} is unlocked and can sign in again.`;
    },
  },
  {
    id: "random-password",
    label: "Set random password",
    group: 1,
    applies: (u, c) => credentials(c) && other(u, c) && !u.virtual && u.status !== "archived",
  },
  {
    id: "set-password",
    label: "Set password",
    group: 1,
    // A practice that forbids typed passwords refuses it (TYPED_PASSWORDS_FORBIDDEN): not offered.
    applies: (u, c) =>
      credentials(c) && c.typedPasswordsAllowed && other(u, c) && !u.virtual && u.status !== "archived",
  },
  {
    id: "reset-link",
    label: "Send reset link",
    group: 1,
    applies: (u, c) => credentials(c) && other(u, c) && !u.virtual && u.status === "active",
    run: async (api, u) => {
      await api.credentials.setUserPassword(u.id, { sendResetLink: true }, v(u));
      return `A password reset link was sent to ${u.email}.`;
    },
  },
  {
    id: "compromised",
    label: "Mark password compromised",
    group: 1,
    applies: (u, c) => credentials(c) && other(u, c) && !u.virtual && u.status === "active",
    confirm: destructive(
      "Mark the password compromised?",
      "Mark compromised",
      (u) =>
        `${u.displayName}'s password stops working at once and their sessions end. A reset link is emailed to ${u.email} so they can choose a new one.`,
    ),
    run: async (api, u) => {
      await api.credentials.setUserPassword(u.id, { compromised: true }, v(u));
      return `${u.displayName}'s password no longer works; a reset link was sent to ${u.email}.`;
    },
  },
  {
    id: "resend-invitation",
    label: "Resend invitation",
    group: 1,
    applies: (u, c) => manage(c) && u.status === "invited",
    run: async (api, u) => {
      await api.credentials.resendInvitation(u.id);
      return `A new invitation was sent to ${u.email}; the earlier link no longer works.`;
    },
  },
  {
    id: "reset-mfa",
    label: "Reset MFA",
    group: 1,
    applies: (u, c) => credentials(c) && other(u, c) && u.mfaEnrolled,
    confirm: destructive(
      "Reset two-factor sign-in?",
      "Reset MFA",
      // What the server does (docs/decisions.md): a password chosen under the with-MFA minimum
      // must not stay the only factor, so then the next sign-in changes it; the answer says which.
      (u) =>
        `${u.displayName}'s authenticator, recovery codes and remembered devices are removed; they are signed out everywhere and the API tokens they created stop working. If their password is shorter than a password used alone may be, they must choose a new one at their next sign-in. They set up two-factor sign-in again only if the practice requires it of them.`,
    ),
    run: async (api, u) => {
      const after = await api.mfa.reset(u.id);
      return after.mustChangePassword
        ? `${u.displayName}'s two-factor sign-in was reset; they must choose a new password at their next sign-in.`
        : `${u.displayName}'s two-factor sign-in was reset; they sign in with their password.`;
    },
  },
  {
    id: "end-sessions",
    label: "End sessions",
    group: 1,
    applies: (u, c) => credentials(c) && other(u, c) && u.status === "active",
    confirm: destructive(
      "End all sessions?",
      "End sessions",
      (u) =>
        `${u.displayName} is signed out everywhere, and the API tokens they created stop working (each one is recorded in the audit log).`,
    ),
    run: async (api, u) => {
      await api.userActions.revokeSessions(u.id);
      return `${u.displayName}'s sessions and API tokens have ended.`;
    },
  },
  {
    id: "deactivate",
    label: "Deactivate",
    group: 2,
    applies: (u, c) => manage(c) && other(u, c) && u.status === "active",
    confirm: destructive(
      "Deactivate user?",
      "Deactivate",
      (u) =>
        `${u.displayName} can no longer sign in and is signed out now. Reactivate brings the account back.`,
    ),
    run: async (api, u) => {
      await api.userActions.deactivate(u.id, v(u));
      return `${u.displayName} was deactivated. Find them under the Inactive filter.`;
    },
  },
  {
    id: "reactivate",
    label: "Reactivate",
    group: 2,
    applies: (u, c) => manage(c) && u.status === "inactive",
    run: async (api, u) => {
      await api.userActions.reactivate(u.id, v(u));
      return `${u.displayName} was reactivated.`;
    },
  },
  {
    id: "archive",
    label: "Archive",
    group: 2,
    applies: (u, c) => manage(c) && other(u, c) && u.status !== "archived",
    confirm: destructive(
      "Archive user?",
      "Archive",
      (u) =>
        `${u.displayName} can no longer sign in; their sessions and API tokens end. The account, its username and email are kept, and Restore brings it back.`,
    ),
    run: async (api, u) => {
      await api.userActions.archive(u.id, v(u));
      return `${u.displayName} was archived. Find them under the Archived filter.`;
    },
  },
  {
    id: "restore",
    label: "Restore",
    group: 2,
    applies: (u, c) => manage(c) && u.status === "archived",
    run: async (api, u) => {
      const restored = await api.userActions.restore(u.id, {}, v(u));
      return `${u.displayName} was restored (now ${restored.status}).`;
    },
  },
  {
    // Offered on every user but oneself, whatever the status (PRODUCT.md: any user with no
    // history). History is more than a sign-in (acting, granting access), which only the server
    // can tell: it refuses with USER_HAS_HISTORY, said in the confirmation in words.
    id: "purge",
    label: "Purge",
    group: 2,
    applies: (u, c) => manage(c) && other(u, c),
    confirm: destructive(
      "Purge user permanently?",
      "Purge",
      (u) =>
        `${u.displayName} (${u.username}) is deleted for good and cannot be restored. Only a user who never signed in or acted can be purged.`,
    ),
    run: async (api, u) => {
      try {
        await api.userActions.purge(u.id, v(u));
      } catch (e) {
        throw historyAdvice(e, u);
      }
      return `${u.displayName} was purged permanently.`;
    },
  },
];

/** What to do instead of purging a user with history, by where the user stands now. */
const INSTEAD: Partial<Record<User["status"], string>> = {
  active: "deactivate or archive it instead.",
  // Deactivating is for active users: these are out of use already, or not yet in it.
  invited: "archive it instead.",
  inactive: "archive it instead.",
  archived: "it stays archived.",
};

/**
 * A user with history cannot be purged, and the server advises to deactivate or archive it
 * instead: advice that fits an active user, not one invited, deactivated or archived already.
 */
function historyAdvice(error: unknown, user: User): unknown {
  const instead = INSTEAD[user.status];
  if (
    !instead ||
    !(error instanceof StaffgateError) ||
    error.code !== "USER_HAS_HISTORY" ||
    !error.problem.detail
  ) {
    return error;
  }
  const detail = error.problem.detail.replace(/;\s*deactivate or archive it instead\.?$/, `; ${instead}`);
  return new StaffgateError({ ...error.problem, detail });
}

export function actionsFor(user: User, caller: Caller): ActionDef[] {
  return ACTIONS.filter((a) => a.applies(user, caller));
}

/** The one action the server allows on a user holding more than the caller: looking. */
const LOOK_ONLY: ReadonlySet<ActionId> = new Set(["effective"]);

/**
 * The menu of a row: its actions, or for a user holding permissions the caller does not, the
 * looking ones and one disabled item saying why the rest are not offered (all would be refused,
 * SECURITY.md G-52). One's own row is never judged so: the self-refused actions are hidden already.
 */
export function menuFor(user: User, caller: Caller): MenuItem[] {
  const actions = actionsFor(user, caller);
  const beyond = user.id === caller.userId ? null : caller.beyond(user);
  if (!beyond || actions.every((a) => LOOK_ONLY.has(a.id))) return actions;
  return [
    ...actions.filter((a) => LOOK_ONLY.has(a.id)),
    {
      id: "beyond",
      label: "No other actions",
      group: 3,
      disabled: true,
      reason: `${user.displayName} ${beyond}.`,
    },
  ];
}

/**
 * Why a user active beyond the caller's own workspaces is beyond them (the server refuses acting
 * on them: a limited administrator manages the staff of their workspaces), or null.
 */
export function accessBeyond(
  mine: User["workspaceAccess"],
  theirs: User["workspaceAccess"],
  workspaceName: (id: string) => string,
): string | null {
  if (mine === "all") return null;
  if (theirs === "all") return "is active in every workspace, and you are not";
  const outside = theirs.filter((w) => !mine.includes(w));
  return outside.length > 0
    ? `is active in workspaces you are not: ${outside.map(workspaceName).join(", ")}`
    : null;
}
