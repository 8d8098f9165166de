/** Patient access grants (PRODUCT.md §2 "Patient access grant"): Staffgate stores patient references only. */
import { z } from "zod";
import {
  Id,
  IsoDateTime,
  isOneLineText,
  ListQuery,
  NullableTimestamp,
  Paragraph,
  QueryBoolean,
  Timestamp,
} from "./common.ts";
import { UserStatus } from "./users.ts";

export const PATIENT_REF_MAX_LENGTH = 200;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * PatientRef's rules past its length, as one predicate: the decision routes' fast path
 * (server/routes/decision-fast-path.ts) checks a reference without zod and must agree.
 */
export const isPatientRefText = (v: string) => !CONTROL_CHARACTER.test(v) && v !== "." && v !== "..";

/** An opaque reference the clinical application chose for a patient: never patient data. */
export const PatientRef = z
  .string()
  .min(1, "is required")
  .max(PATIENT_REF_MAX_LENGTH)
  .refine((v) => !CONTROL_CHARACTER.test(v), {
    message: "must not contain control characters",
    abort: true, // said once: a new reference's text rule below would say it again
  })
  // "." and ".." cannot travel in a URL path segment: clients would resolve them away.
  .refine((v) => v !== "." && v !== "..", 'must not be "." or ".."');

/**
 * A reference a new grant or elevation is given: also without spaces at its ends (nor only
 * spaces), which would make " MRN-9 " a patient apart from "MRN-9" (found by the rejection
 * audit). Reads and revocations take any reference, so nothing stored before is out of reach.
 */
export const NewPatientRef = PatientRef.refine((v) => v.trim() === v, {
  message: "must not begin or end with a space, nor be only spaces",
  abort: true, // one message for a reference ending in U+2028, which trim() takes for a space
})
  // A bidi override reversed the rest of the line in the audit export and in the emergency email
  // to every administrator (input audit, 2026-12-06): refused in a new reference as in any text.
  .refine(isOneLineText, "must be text on one line, without control or bidirectional-override characters");

export const PatientRefParams = z.strictObject({ patientRef: PatientRef });
export const NewPatientRefParams = z.strictObject({ patientRef: NewPatientRef });
export const PatientAccessUserParams = z.strictObject({ patientRef: PatientRef, userId: Id });

export const PatientGrantSchema = z.strictObject({
  id: Id,
  patientRef: z.string(),
  userId: Id,
  username: z.string(),
  displayName: z.string(),
  /**
   * The holder's status: a grant of a user who is not active (invited, deactivated, archived)
   * grants nothing until they are, and is listed so that it can be seen and revoked.
   */
  userStatus: UserStatus,
  /** null: the grant holds in every workspace. */
  workspaceId: Id.nullable(),
  grantedBy: Id.nullable(),
  reason: z.string().nullable(),
  expiresAt: NullableTimestamp,
  createdAt: Timestamp,
  /** Moves when the grant is given again (reason, expiry); `If-Match` on its revocation. */
  version: z.number().int(),
});
export type PatientGrant = z.infer<typeof PatientGrantSchema>;

const GrantReason = Paragraph(500);

/**
 * One live grant per (user, patient, workspace): granting the same triple again refreshes its
 * reason, expiry and grantor (and answers 201 with the same id) instead of adding a second row.
 */
export const GrantPatientAccessBody = z.strictObject({
  userId: Id,
  workspaceId: Id.nullable().optional(),
  reason: GrantReason.nullable().optional(),
  expiresAt: IsoDateTime().nullable().optional(),
});
export type GrantPatientAccessBody = z.infer<typeof GrantPatientAccessBody>;

/** The application reports that this user created or uploaded the patient. */
export const PatientCreatedBody = z.strictObject({
  userId: Id,
  workspaceId: Id.nullable().optional(),
});
export type PatientCreatedBody = z.infer<typeof PatientCreatedBody>;

export const ListPatientAccessQuery = ListQuery.extend({
  /** Also list grants whose expiry has passed (they grant nothing). */
  includeExpired: QueryBoolean.optional(),
});

export const RevokePatientAccessQuery = z.strictObject({
  /** Remove only the grant for this workspace (otherwise every grant of the user on the patient). */
  workspaceId: Id.optional(),
});
