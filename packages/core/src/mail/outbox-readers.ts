/**
 * Whose messages an administrator may read in the console's Outbox (PRODUCT.md §7: the outbox is
 * "viewable from the CLI and console, so every link works locally"). A body can hold a one-time
 * reset or invitation link, so it is shown only where reading it gives nothing new:
 * - the message went to the server's log (no SMTP server: local development), where the operator
 *   reads it anyway; a message sent by SMTP is the recipient's alone;
 * - it is addressed to the reader, or to a user of the tenant whose password the reader could set
 *   right now (`users.credentials`, and the user holds nothing the reader does not: the guard of
 *   every administrator action). Anyone else's link would be a way into an account the reader
 *   may not act on (a forgot-password request is anonymous, so anyone can have one sent).
 */
import { currentHolder, holdersOf } from "../access/current-holder.ts";
import type { Caller } from "../auth/caller.ts";
import { foldKey } from "../shared/text.rules.ts";
import type { Executor } from "../shared/tx.ts";
import { refusalToActOn } from "../users/user-lifecycle.rules.ts";

/** The folded addresses, among `addresses`, whose messages `caller` may read. */
export async function readableAddresses(
  db: Executor,
  caller: Caller,
  addresses: readonly string[],
): Promise<Set<string>> {
  const wanted = [...new Set(addresses.map(foldKey))];
  const readable = new Set<string>();
  if (wanted.length === 0 || caller.kind === "operator") return readable;
  const users = await db
    .selectFrom("users")
    .select(["id", "role_id", "email_key"])
    .where("tenant_id", "=", caller.tenantId)
    .where("email_key", "in", wanted)
    .execute();
  const others = users.filter((u) => u.id !== caller.userId);
  for (const u of users) if (u.id === caller.userId) readable.add(u.email_key);
  if (others.length === 0 || !caller.permissions.has("users.credentials")) return readable;
  const actor = await currentHolder(db, caller);
  const holders = await holdersOf(
    db,
    caller.tenantId,
    others.map((u) => ({ id: u.id, roleId: u.role_id })),
  );
  for (const u of others) {
    const target = holders.get(u.id);
    if (target && refusalToActOn(caller.catalog, actor, target) === null) readable.add(u.email_key);
  }
  return readable;
}
