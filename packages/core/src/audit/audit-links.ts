/** A stored row as a link of the hash chain (audit-chain.rules.ts). */
import type { AuditEventsTable } from "../db/schema.ts";
import type { StoredLink } from "./audit-chain.rules.ts";

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
