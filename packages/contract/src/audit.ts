/** The audit trail as the API shows it (PRODUCT.md §6). */
import { z } from "zod";
import { DateBound, Id, IsoDateTime, Timestamp } from "./common.ts";

export const AuditEventSchema = z.strictObject({
  seq: z.number().int(),
  id: Id,
  /** The tenant whose trail holds the event (an export read elsewhere still says whose it is). */
  tenantId: Id,
  at: Timestamp,
  actor: z.strictObject({ type: z.string(), id: z.string().nullable(), username: z.string().nullable() }),
  action: z.string(),
  target: z
    .strictObject({ type: z.string().nullable(), id: z.string().nullable(), label: z.string().nullable() })
    .nullable(),
  changes: z
    .record(z.string(), z.strictObject({ before: z.unknown().optional(), after: z.unknown().optional() }))
    .nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  outcome: z.enum(["success", "failure", "denied"]),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

const AuditQueryFields = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
  from: DateBound("start").optional(),
  to: DateBound("end").optional(),
  /**
   * The acting user's username at the time of each event, any case: after a rename, the older
   * events are under the old name, and a username freed and taken again names two people.
   */
  actor: z.string().max(254).optional(),
  /** The acting user's id, exactly: one person's events, before and after a rename (`actor.id`). */
  actorId: z.string().max(120).optional(),
  // An action, or a prefix ending in `.*` (`user.*`); a `*` anywhere else would match nothing,
  // silently, so it is refused.
  action: z
    .string()
    .max(120)
    .refine(
      (v) => !v.slice(0, v.endsWith(".*") ? -2 : undefined).includes("*"),
      "must be an action, or a prefix of one ending in .* (such as user.*)",
    )
    .optional(),
  targetId: z.string().max(120).optional(),
  /** The events about this patient, exactly (grants, recorded decisions, who-can, elevations). */
  patientRef: z.string().min(1).max(200).optional(),
  ip: z.string().max(64).optional(),
  q: z.string().max(200).optional(),
});

/** A range that ends before it starts is the caller's mistake, not an empty trail: 400 naming `to`. */
function refineRange(range: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx) {
  if (range.from && range.to && Date.parse(range.to) < Date.parse(range.from)) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
  }
}

export const AuditQuery = AuditQueryFields.superRefine(refineRange);
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditExportQuery = AuditQueryFields.omit({ limit: true, cursor: true })
  .extend({ format: z.enum(["csv", "jsonl"]).default("jsonl") })
  .superRefine(refineRange);

export const AuditVerifyResponse = z.strictObject({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBrokenSeq: z.number().int().nullable(),
});

/**
 * Purging deletes the events older than a date, which must lie past the tenant's retention horizon
 * (PRODUCT.md §6). Without `before` the horizon itself is used.
 */
export const AuditPurgeRequest = z.strictObject({
  before: IsoDateTime().optional(),
});
export type AuditPurgeRequest = z.infer<typeof AuditPurgeRequest>;

export const AuditPurgeResponse = z.strictObject({
  /** Events deleted by this purge. */
  purged: z.number().int(),
  /** Every event up to this seq is gone; the chain is verified from its hash onwards. */
  purgedThroughSeq: z.number().int(),
  /** The cut-off used: events before it (and before every later event) were deleted. */
  before: Timestamp,
  /** Now minus the tenant's `auditRetentionDays`: nothing younger may be purged. */
  horizon: Timestamp,
});
export type AuditPurgeResponse = z.infer<typeof AuditPurgeResponse>;
