/** Emergency (break-glass) access, HIPAA 164.312(a)(2)(ii) (PRODUCT.md §2 "Emergency access"). */
import { z } from "zod";
import { Id, ListQuery, NullableTimestamp, Paragraph, QueryBoolean, Timestamp } from "./common.ts";
import { NewPatientRef } from "./patient-access.ts";

export const OpenEmergencyAccessBody = z
  .strictObject({
    /** Any typed reason (issue 5 item 4): the console asks for a sentence; the API refuses only a blank one. */
    reason: Paragraph(1000),
    /** The caller's own password (step-up authentication); never stored or logged. */
    password: z.string().min(1, "is required").max(1024),
    workspaceId: Id.optional(),
    patientRef: NewPatientRef.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.workspaceId === undefined) === (v.patientRef === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [v.workspaceId === undefined ? "workspaceId" : "patientRef"],
        message: "give exactly one of workspaceId and patientRef",
      });
    }
  });
export type OpenEmergencyAccessBody = z.infer<typeof OpenEmergencyAccessBody>;

export const OpenedEmergencyAccessSchema = z.strictObject({ id: Id, expiresAt: Timestamp });

export const EmergencyAccessSchema = z.strictObject({
  id: Id,
  userId: Id,
  username: z.string(),
  displayName: z.string(),
  workspaceId: Id.nullable(),
  patientRef: z.string().nullable(),
  reason: z.string(),
  permissions: z.array(z.string()),
  /** open: neither ended by hand nor past its expiry. */
  status: z.enum(["open", "ended"]),
  openedAt: Timestamp,
  expiresAt: Timestamp,
  endedAt: NullableTimestamp,
  endedBy: Id.nullable(),
  reviewedAt: NullableTimestamp,
  reviewedBy: Id.nullable(),
  reviewNote: z.string().nullable(),
});
export type EmergencyAccess = z.infer<typeof EmergencyAccessSchema>;

export const ListEmergencyAccessQuery = ListQuery.extend({
  status: z.enum(["open", "ended"]).optional(),
  reviewed: QueryBoolean.optional(),
});

export const ReviewEmergencyAccessBody = z.strictObject({
  note: Paragraph(2000),
});
