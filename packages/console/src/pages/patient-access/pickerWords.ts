/**
 * The user picker's words. The picker offers invited users besides active ones: the API grants
 * patient access to an invited user (a new outside collaborator), whose access starts when they
 * accept the invitation, so such a choice says so.
 */
import type { User } from "../../types.ts";

/** The users the picker lists (the users list's `status` filter). */
export const PICKABLE_STATUSES = "active,invited" as const;

/** Said beside an invited user's name; null for an active one. */
export function pickNote(user: Pick<User, "status">): string | null {
  return user.status === "invited" ? "Invited: access starts when they accept the invitation" : null;
}

/** Said when nobody can be listed: with the search in quotes, or without when nothing was typed. */
export function noMatchWords(query: string): string {
  const q = query.trim();
  return q ? `No active or invited user matches “${q}”.` : "There is no active or invited user to choose.";
}
