/** The per-tenant SHA-256 hash chain: hash_i = SHA-256(hash_{i-1} ‖ canonical(event_i)). */
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields {
  readonly tenantId: string;
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly actorLabel: string | null;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly targetLabel: string | null;
  readonly changes: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly outcome: string;
}

/** A fixed field order, so the hash never depends on object key order. */
export function canonicalEvent(e: ChainedFields): string {
  return JSON.stringify([
    e.tenantId,
    e.seq,
    e.id,
    e.at,
    e.actorType,
    e.actorId,
    e.actorLabel,
    e.action,
    e.targetType,
    e.targetId,
    e.targetLabel,
    e.changes,
    e.ip,
    e.userAgent,
    e.requestId,
    e.outcome,
  ]);
}

export function chainHash(prevHash: string, event: ChainedFields): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalEvent(event)).digest("hex");
}

export interface StoredLink extends ChainedFields {
  readonly prevHash: string;
  readonly hash: string;
}

export interface ChainCheck {
  readonly ok: boolean;
  readonly checked: number;
  readonly firstBrokenSeq: number | null;
  readonly lastHash: string;
  readonly lastSeq: number;
}

/**
 * Folds a run of events (in seq order) into a verdict. `start` carries the state between pages so
 * that a whole trail is verified with constant memory.
 */
export function verifyLinks(
  links: Iterable<StoredLink>,
  start: { prevHash: string; prevSeq: number; checked: number } = {
    prevHash: GENESIS_HASH,
    prevSeq: 0,
    checked: 0,
  },
): ChainCheck {
  let prevHash = start.prevHash;
  let prevSeq = start.prevSeq;
  let checked = start.checked;
  for (const link of links) {
    checked += 1;
    const broken =
      link.seq !== prevSeq + 1 || link.prevHash !== prevHash || chainHash(prevHash, link) !== link.hash;
    if (broken) return { ok: false, checked, firstBrokenSeq: link.seq, lastHash: prevHash, lastSeq: prevSeq };
    prevHash = link.hash;
    prevSeq = link.seq;
  }
  return { ok: true, checked, firstBrokenSeq: null, lastHash: prevHash, lastSeq: prevSeq };
}
