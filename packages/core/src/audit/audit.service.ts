/** Reading the audit trail: filtered pages, streamed exports (themselves audited) and chain verification. */
import type { AuditEvent, AuditPurgeRequest } from "@staffgate/contract";
import type { AuditEventsTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import { decodeCursor, encodeCursor, invalidCursor } from "../shared/cursor.ts";
import type { Deps } from "../shared/deps.ts";
import { inTx } from "../shared/tx.ts";
import { type AuditFilters, createAuditStore } from "./audit.store.ts";
import { type AuditExportFormat, csvHeader, csvRow, jsonLine } from "./audit-export.rules.ts";
import { walkLinks } from "./audit-links.ts";
import { purgeAudit } from "./audit-purge.ts";
import { appendAudit, flushAudit } from "./audit-writer.ts";

export interface AuditVerdict {
  readonly ok: boolean;
  readonly checked: number;
  readonly firstBrokenSeq: number | null;
}

export function toAuditEvent(row: AuditEventsTable): AuditEvent {
  const hasTarget = row.target_type !== null || row.target_id !== null || row.target_label !== null;
  return {
    seq: Number(row.seq),
    id: row.id,
    tenantId: row.tenant_id,
    at: row.at,
    actor: { type: row.actor_type, id: row.actor_id, username: row.actor_label },
    action: row.action,
    target: hasTarget ? { type: row.target_type, id: row.target_id, label: row.target_label } : null,
    changes: row.changes === null ? null : (JSON.parse(row.changes) as AuditEvent["changes"]),
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    outcome: row.outcome,
    hash: row.hash,
  };
}

/** Only the filters that were set, so the audit.exported event records exactly what was asked. */
function filtersOf(query: AuditFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [
    "from",
    "to",
    "actor",
    "actorId",
    "action",
    "targetId",
    "patientRef",
    "ip",
    "q",
  ] as const) {
    const v = query[key];
    if (v !== undefined && v !== "") out[key] = v;
  }
  return out;
}

export function createAuditService(deps: Deps) {
  const storeFor = (tenantId: string) => createAuditStore(deps.db.kysely, tenantId);

  async function walkChain(tenantId: string): Promise<AuditVerdict & { anchorSeq: number }> {
    const store = storeFor(tenantId);
    // Read first: events appended while we walk are beyond it and left for the next run.
    const head = await store.findHead();
    if (!head) return { ok: true, checked: 0, firstBrokenSeq: null, anchorSeq: 0 };
    const anchorSeq = head.anchorSeq;
    const state = await walkLinks(store, { seq: anchorSeq, hash: head.anchorHash }, head.seq);
    if (!state.ok) {
      // A jump in seq means events were removed: name the first missing one, not the survivor.
      const gap = state.firstBrokenSeq !== null && state.firstBrokenSeq > state.lastSeq + 1;
      const firstBrokenSeq = gap ? state.lastSeq + 1 : state.firstBrokenSeq;
      return { ok: false, checked: state.checked, firstBrokenSeq, anchorSeq };
    }
    if (state.lastSeq !== head.seq || state.lastHash !== head.hash) {
      // The chain stops short of the head: the first missing (or replaced) event is the break.
      const brokenSeq = state.lastSeq < head.seq ? state.lastSeq + 1 : head.seq;
      return { ok: false, checked: state.checked, firstBrokenSeq: brokenSeq, anchorSeq };
    }
    return { ok: true, checked: state.checked, firstBrokenSeq: null, anchorSeq };
  }

  return {
    /**
     * A refused request (ASVS 16.3.2 "log failed authorization", 16.3.3 "attempts to bypass
     * controls"): its own transaction, since the request's was rolled back; what was asked, never
     * the body. `authz.failed`, outcome `denied`.
     */
    async recordDenied(
      ctx: Ctx,
      denied: {
        readonly code: string;
        readonly method: string;
        readonly route: string;
        readonly targetId?: string;
        /** A CSV import's rows refused so, each `line code` (users-import.service.ts). */
        readonly rows?: readonly { readonly line: number; readonly code: string }[];
      },
    ): Promise<void> {
      const rows = denied.rows?.map((r) => `${r.line} ${r.code}`);
      await inTx(deps, (trx) =>
        appendAudit(deps, trx, ctx, {
          action: "authz.failed",
          target: { type: "route", id: denied.targetId ?? null, label: `${denied.method} ${denied.route}` },
          changes: { code: { after: denied.code }, ...(rows ? { rows: { after: [...new Set(rows)] } } : {}) },
          outcome: "denied",
        }),
      );
    },

    async listEvents(
      ctx: Ctx,
      query: AuditFilters & { limit: number; cursor?: string | undefined },
    ): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
      const beforeSeq = query.cursor ? decodeCursor(query.cursor, 1)[0] : null;
      // decodeCursor accepts any scalar; only a seq is meaningful here.
      if (beforeSeq !== null && !Number.isInteger(beforeSeq)) throw invalidCursor();
      const rows = await storeFor(ctx.tenantId).listEvents({
        limit: query.limit + 1,
        beforeSeq: beforeSeq as number | null,
        filters: query,
      });
      const items = rows.slice(0, query.limit).map(toAuditEvent);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.seq]) : null };
    },

    /**
     * Every matching event in seq order, as a snapshot up to the head at the time of the call.
     * Decision: an export is audited (`audit.exported`, the filters as `changes.after`) because it
     * copies the trail out of the system; the event is committed in its own transaction *before*
     * the first byte is sent, so a download that fails half-way is still on record and a trail that
     * cannot be written refuses the export (fail closed). It is the last event the export contains
     * when it matches the filters. Listing and verifying are reads that copy nothing out in bulk and
     * are not audited, like other reads.
     */
    async exportEvents(
      ctx: Ctx,
      query: AuditFilters,
      format?: AuditExportFormat,
    ): Promise<AsyncIterable<AuditEvent>> {
      // The format and the filters that were set: what was copied out, in which form.
      const asked = { ...(format ? { format } : {}), ...filtersOf(query) };
      // The export ends at its own event (its number read at once, under the chain's lock).
      const head = await inTx(deps, async (trx) => {
        await appendAudit(deps, trx, ctx, {
          action: "audit.exported",
          target: { type: "audit", id: null, label: null },
          changes: Object.fromEntries(Object.entries(asked).map(([k, v]) => [k, { after: v }])),
        });
        return flushAudit(trx);
      });
      const store = storeFor(ctx.tenantId);
      const anchorAtStart = (await store.findHead())?.anchorSeq ?? 0;
      return (async function* () {
        // Each page is its own read, so a purge that commits meanwhile deletes rows under the
        // export's feet (a purge walks before it takes the chain, so the export's own event no
        // longer waits for it: the second review's export had a hole of 15,000 events). A purge
        // deletes only at or below the anchor it moves: past where the page began, the page may
        // lack some. Before anything is sent the export starts again after it (the purge came
        // first); after, it fails, and the download with it, rather than go on with a hole.
        let after = 0;
        let sent = false;
        for (let again = true; again; ) {
          again = false;
          for await (const page of store.iterateEvents(query, head, after)) {
            const anchor = (await store.findHead())?.anchorSeq ?? 0;
            if (anchor !== anchorAtStart && anchor > after) {
              if (sent)
                throw new Error("the audit trail was purged while it was being exported: export again");
              after = anchor;
              again = true;
              break;
            }
            for (const row of page) yield toAuditEvent(row);
            sent = true;
            after = Number(page.at(-1)!.seq);
          }
        }
      })();
    },

    /** The export as text lines (CSV with a header row, or JSON Lines), for HTTP streams and the CLI. */
    async exportText(
      ctx: Ctx,
      query: AuditFilters & { format: AuditExportFormat },
    ): Promise<AsyncIterable<string>> {
      const events = await this.exportEvents(ctx, query, query.format);
      return (async function* () {
        if (query.format === "csv") yield csvHeader();
        for await (const e of events) yield query.format === "csv" ? csvRow(e) : jsonLine(e);
      })();
    },

    /**
     * Walks the chain page by page with constant memory, from the anchor a purge left (or from the
     * genesis hash). verifyLinks catches an altered event and a gap in seq; comparing the end with
     * the head catches events removed from the end.
     */
    async verifyChain(tenantId: string): Promise<AuditVerdict> {
      let walk = await walkChain(tenantId);
      // A purge that committed during the walk moves the anchor and removes rows under our feet:
      // walk again from the new anchor (a few times at most) before calling the chain broken.
      for (let retries = 0; !walk.ok && retries < 5; retries++) {
        const head = await storeFor(tenantId).findHead();
        if (!head || head.anchorSeq === walk.anchorSeq) break;
        walk = await walkChain(tenantId);
      }
      return { ok: walk.ok, checked: walk.checked, firstBrokenSeq: walk.firstBrokenSeq };
    },

    /** Deletes the events past the retention horizon (audit-purge.ts); audited. */
    purgeEvents: (ctx: Ctx, body: AuditPurgeRequest) => purgeAudit(deps, ctx, body),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
