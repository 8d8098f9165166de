/** Appends audit events inside the caller's transaction: no audit, no change. */
import { prepared } from "../db/prepared.ts";
import type { AuditEventsTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { onCommit, type Trx } from "../shared/tx.ts";
import { chainHash, GENESIS_HASH } from "./audit-chain.rules.ts";

export interface AuditTarget {
  readonly type: string;
  readonly id: string | null;
  readonly label?: string | null;
}

export type Changes = Readonly<Record<string, { readonly before?: unknown; readonly after?: unknown }>>;

export interface AuditInput {
  readonly action: string;
  readonly target?: AuditTarget;
  readonly changes?: Changes;
  readonly outcome?: "success" | "failure" | "denied";
  /** Its OWASP Logging Vocabulary name when the action alone does not tell it (the log's, not stored). */
  readonly vocabulary?: string;
}

// Every use case writes these three statements: compiled once (db/prepared.ts).
const bumpHead = prepared<{ tenantId: string }, { seq: number; hash: string }>(["tenantId"], (db, v) =>
  db
    .updateTable("audit_heads")
    .set((eb) => ({ seq: eb("seq", "+", 1) }))
    .where("tenant_id", "=", v.tenantId)
    .returning(["seq", "hash"]),
);
const EVENT_COLUMNS = [
  "tenant_id",
  "seq",
  "id",
  "at",
  "actor_type",
  "actor_id",
  "actor_label",
  "action",
  "target_type",
  "target_id",
  "target_label",
  "changes",
  "ip",
  "user_agent",
  "request_id",
  "outcome",
  "prev_hash",
  "hash",
] as const satisfies readonly (keyof AuditEventsTable)[];
const insertEvent = prepared<AuditEventsTable, never>(EVENT_COLUMNS, (db, row) =>
  db.insertInto("audit_events").values(row),
);
const setHeadHash = prepared<{ tenantId: string; hash: string }, never>(["tenantId", "hash"], (db, v) =>
  db.updateTable("audit_heads").set({ hash: v.hash }).where("tenant_id", "=", v.tenantId),
);

/** Writes one event, chained to the tenant's previous one. Must run inside a transaction. */
export async function appendAudit(deps: Deps, trx: Trx, ctx: Ctx, input: AuditInput): Promise<number> {
  // Incrementing the head row first takes its lock, so concurrent writers chain one after another.
  const head = await bumpHead.first(trx, { tenantId: ctx.tenantId });
  let seq: number;
  let prevHash: string;
  if (head) {
    seq = Number(head.seq);
    prevHash = head.hash;
  } else {
    seq = 1;
    prevHash = GENESIS_HASH;
    await trx
      .insertInto("audit_heads")
      .values({ tenant_id: ctx.tenantId, seq: 1, hash: GENESIS_HASH })
      .execute();
  }
  const fields = {
    tenantId: ctx.tenantId,
    seq,
    id: deps.ids.next("evt"),
    at: deps.clock.now().toISOString(),
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    actorLabel: ctx.actor.label,
    action: input.action,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    targetLabel: input.target?.label ?? null,
    changes: input.changes && Object.keys(input.changes).length > 0 ? JSON.stringify(input.changes) : null,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    outcome: input.outcome ?? "success",
  } as const;
  const hash = chainHash(prevHash, fields);
  await insertEvent.execute(trx, {
    tenant_id: fields.tenantId,
    seq,
    id: fields.id,
    at: fields.at,
    actor_type: fields.actorType,
    actor_id: fields.actorId,
    actor_label: fields.actorLabel,
    action: fields.action,
    target_type: fields.targetType,
    target_id: fields.targetId,
    target_label: fields.targetLabel,
    changes: fields.changes,
    ip: fields.ip,
    user_agent: fields.userAgent,
    request_id: fields.requestId,
    outcome: fields.outcome,
    prev_hash: prevHash,
    hash,
  });
  await setHeadHash.execute(trx, { tenantId: ctx.tenantId, hash });
  const stream = deps.auditStream.current;
  if (stream) {
    onCommit(trx, () =>
      stream({
        tenantId: fields.tenantId,
        seq,
        action: fields.action,
        actorType: fields.actorType,
        actorId: fields.actorId,
        targetType: fields.targetType,
        targetId: fields.targetId,
        outcome: fields.outcome,
        ip: fields.ip,
        requestId: fields.requestId,
        ...(input.vocabulary ? { vocabulary: input.vocabulary } : {}),
      }),
    );
  }
  return seq;
}

/** The before/after of the fields that differ; callers pass only fields that are not secret. */
export function diffChanges<T extends Record<string, unknown>>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
): Changes {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const f of fields) {
    if (JSON.stringify(before[f]) !== JSON.stringify(after[f]))
      out[f] = { before: before[f], after: after[f] };
  }
  return out;
}

/** The fields of a created or deleted record, as after-only or before-only changes. */
export function snapshotChanges(
  record: Record<string, unknown>,
  side: "before" | "after",
  fields: readonly string[],
): Changes {
  const out: Record<string, { before?: unknown; after?: unknown }> = {};
  for (const f of fields) out[f] = { [side]: record[f] };
  return out;
}
