/** Appends audit events inside the caller's transaction: no audit, no change. */
import { prepared } from "../db/prepared.ts";
import type { AuditEventsTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { assertOpen, beforeCommit, onCommit, type Trx } from "../shared/tx.ts";
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

/** An event appended and not yet written: what the request gave, read when it was appended. */
interface PendingEvent {
  readonly tenantId: string;
  readonly ctx: Ctx;
  readonly input: AuditInput;
  readonly changes: string | null;
}

/** Each open transaction's events, in the order appended, until its flush. */
const pending = new WeakMap<Trx, { deps: Deps; events: PendingEvent[] }>();

/**
 * Records one event in the caller's transaction: written, chained to the tenant's previous one,
 * just before the transaction commits (shared/tx.ts beforeCommit), and rolled back with it.
 *
 * Written at the end rather than now because the chain's head row is locked from the moment an
 * event takes its number until the commit, and every audited write of the tenant (a sign-in
 * among them) waits on that lock: a CSV import of 1,000 users held PostgreSQL sign-ins for 8.7 s.
 * Numbering at the end keeps what readers rely on: seqs are handed out under the lock and become
 * visible in order, and `at` (read under the lock) never goes back as seq grows.
 */
export async function appendAudit(deps: Deps, trx: Trx, ctx: Ctx, input: AuditInput): Promise<void> {
  // After its work (in an onCommit callback, say) an event would be queued and never written.
  assertOpen(trx);
  let queue = pending.get(trx);
  if (queue === undefined) {
    queue = { deps, events: [] };
    pending.set(trx, queue);
    beforeCommit(trx, () => flushAudit(trx));
  }
  queue.events.push({
    tenantId: ctx.tenantId,
    ctx,
    input,
    changes: input.changes && Object.keys(input.changes).length > 0 ? JSON.stringify(input.changes) : null,
  });
}

/** Each transaction's savepoints open between auditMark and auditKeep / discardAuditSince. */
const openMarks = new WeakMap<Trx, number>();

/**
 * At a savepoint: how many events the transaction has appended so far (for discardAuditSince).
 * Until auditKeep or discardAuditSince, flushAudit refuses: it would write events queued before
 * the savepoint inside it, and a rollback to it would take them away with the row's own.
 */
export function auditMark(trx: Trx): number {
  openMarks.set(trx, (openMarks.get(trx) ?? 0) + 1);
  return pending.get(trx)?.events.length ?? 0;
}

/** The savepoint was released: its events stay queued. */
export function auditKeep(trx: Trx): void {
  openMarks.set(trx, Math.max(0, (openMarks.get(trx) ?? 0) - 1));
}

/** Drops the events appended since `mark`: their savepoint was rolled back. */
export function discardAuditSince(trx: Trx, mark: number): void {
  auditKeep(trx);
  const queue = pending.get(trx);
  if (queue) queue.events.length = Math.min(queue.events.length, mark);
}

/**
 * Writes the transaction's pending events now, and returns the seq of the last one written (0 when
 * there was none). Runs by itself before the commit; a use case calls it only when it needs its
 * event's number (a patient grant's version starts there).
 */
export async function flushAudit(trx: Trx): Promise<number> {
  if ((openMarks.get(trx) ?? 0) > 0)
    throw new Error("flushAudit inside a savepoint: events before it would be lost");
  const queue = pending.get(trx);
  if (queue === undefined || queue.events.length === 0) return 0;
  const events = queue.events.splice(0);
  // Tenants' heads in one order, so two transactions writing to the same two never deadlock.
  const tenants = [...new Set(events.map((e) => e.tenantId))].sort();
  let last = 0;
  for (const tenantId of tenants)
    last = await writeEvents(
      queue.deps,
      trx,
      tenantId,
      events.filter((e) => e.tenantId === tenantId),
    );
  return last;
}

/** At most this many rows per INSERT: 18 parameters each, well inside SQLite's and PostgreSQL's limits. */
const INSERT_CHUNK = 200;

/** Chains and writes one tenant's events; returns the last seq. */
async function writeEvents(deps: Deps, trx: Trx, tenantId: string, events: PendingEvent[]): Promise<number> {
  // Incrementing the head row first takes its lock, so concurrent writers chain one after another.
  const n = events.length;
  const head = await (n === 1
    ? bumpHead.first(trx, { tenantId })
    : trx
        .updateTable("audit_heads")
        .set((eb) => ({ seq: eb("seq", "+", n) }))
        .where("tenant_id", "=", tenantId)
        .returning(["seq", "hash"])
        .executeTakeFirst());
  let seq: number;
  let prevHash: string;
  if (head) {
    seq = Number(head.seq) - n + 1;
    prevHash = head.hash;
  } else {
    seq = 1;
    prevHash = GENESIS_HASH;
    await trx.insertInto("audit_heads").values({ tenant_id: tenantId, seq: n, hash: GENESIS_HASH }).execute();
  }
  const at = deps.clock.now().toISOString();
  const rows: AuditEventsTable[] = [];
  for (const e of events) {
    const fields = {
      tenantId,
      seq,
      id: deps.ids.next("evt"),
      at,
      actorType: e.ctx.actor.type,
      actorId: e.ctx.actor.id,
      actorLabel: e.ctx.actor.label,
      action: e.input.action,
      targetType: e.input.target?.type ?? null,
      targetId: e.input.target?.id ?? null,
      targetLabel: e.input.target?.label ?? null,
      changes: e.changes,
      ip: e.ctx.ip,
      userAgent: e.ctx.userAgent,
      requestId: e.ctx.requestId,
      outcome: e.input.outcome ?? "success",
    } as const;
    const hash = chainHash(prevHash, fields);
    rows.push({
      tenant_id: tenantId,
      seq,
      id: fields.id,
      at,
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
    streamOnCommit(deps, trx, rows[rows.length - 1]!, e.input.vocabulary);
    prevHash = hash;
    seq++;
  }
  if (rows.length === 1) await insertEvent.execute(trx, rows[0]!);
  else
    for (let i = 0; i < rows.length; i += INSERT_CHUNK)
      await trx
        .insertInto("audit_events")
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
  await setHeadHash.execute(trx, { tenantId, hash: prevHash });
  return seq - 1;
}

/** The log's line for the event (http/audit-log.ts), once it has committed. */
function streamOnCommit(deps: Deps, trx: Trx, row: AuditEventsTable, vocabulary: string | undefined): void {
  const stream = deps.auditStream.current;
  if (!stream) return;
  onCommit(trx, () =>
    stream({
      tenantId: row.tenant_id,
      seq: row.seq,
      action: row.action,
      actorType: row.actor_type,
      actorId: row.actor_id,
      targetType: row.target_type,
      targetId: row.target_id,
      outcome: row.outcome,
      ip: row.ip,
      requestId: row.request_id,
      ...(vocabulary ? { vocabulary } : {}),
    }),
  );
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
