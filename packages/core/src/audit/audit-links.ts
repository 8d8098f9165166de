/** Stored rows as links of the hash chain (audit-chain.rules.ts), and a walk along them. */
import type { AuditEventsTable } from "../db/schema.ts";
import type { AuditStore } from "./audit.store.ts";
import { type ChainCheck, type StoredLink, verifyLinks } from "./audit-chain.rules.ts";

export function toLink(row: AuditEventsTable): StoredLink {
  return {
    tenantId: row.tenant_id,
    seq: Number(row.seq),
    id: row.id,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    targetLabel: row.target_label,
    changes: row.changes,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    outcome: row.outcome,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Verifies the chain from `from` (an anchor's seq and hash, or 0 and the genesis hash) up to
 * `toSeq`, page by page with constant memory; stops at the first broken link. Verify and purge
 * both walk this way, reading every row up to `toSeq`: one at or below the anchor is a break (a
 * purge deletes what it anchors over in the same transaction). `resume`: a walk going on from
 * where an earlier one of the same rows stopped (`from` is its last link), reading only after it.
 */
export async function walkLinks(
  store: AuditStore,
  from: { readonly seq: number; readonly hash: string },
  toSeq: number,
  resume = false,
): Promise<ChainCheck> {
  let state = verifyLinks([], { prevHash: from.hash, prevSeq: from.seq, checked: 0 });
  for await (const page of store.iterateEvents({}, toSeq, resume ? from.seq : 0)) {
    state = verifyLinks(page.map(toLink), {
      prevHash: state.lastHash,
      prevSeq: state.lastSeq,
      checked: state.checked,
    });
    if (!state.ok) break;
  }
  return state;
}
