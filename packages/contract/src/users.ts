/** Users: the API shape of a staff account (API.md, PRODUCT.md §2). */
import { z } from "zod";
import {
  DateBound,
  Id,
  IsoDateTime,
  Label,
  LineText,
  NullableTimestamp,
  ParagraphText,
  QueryBoolean,
  Timestamp,
} from "./common.ts";

export const UserStatus = z.enum(["invited", "active", "inactive", "archived"]);
export type UserStatus = z.infer<typeof UserStatus>;

export const WorkspaceAccess = z.union([z.literal("all"), z.array(Id).max(1000)], {
  error: 'must be "all" or a list of workspace ids',
});

export const WorkspaceRoleAssignment = z.strictObject({ workspaceId: Id, roleId: Id });

export const UserSchema = z.strictObject({
  id: Id,
  username: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  initials: z.string(),
  displayName: z.string(),
  phone: z.string(),
  workRole: z.string().nullable(),
  professionalId: z.string().nullable(),
  prescriberId: z.string().nullable(),
  qualifications: z.string().nullable(),
  areasOfExpertise: z.string().nullable(),
  employeeNumber: z.string().nullable(),
  title: z.string().nullable(),
  roleId: Id,
  privateRole: z.boolean(),
  workspaceAccess: WorkspaceAccess,
  workspaceRoles: z.array(WorkspaceRoleAssignment),
  virtual: z.boolean(),
  expiresAt: NullableTimestamp,
  status: UserStatus,
  locked: z.boolean(),
  lockedUntil: NullableTimestamp,
  mustChangePassword: z.boolean(),
  mfaEnrolled: z.boolean(),
  lastLoginAt: NullableTimestamp,
  createdAt: Timestamp,
  createdBy: z.string().nullable(),
  updatedAt: Timestamp,
  version: z.number().int(),
});
export type User = z.infer<typeof UserSchema>;

/** Header-injection characters (CR, LF, NUL, other controls) are never part of an address. */
export const Email = z
  .string()
  // Before the trim: a CR or LF at either end is refused, as inside, not silently dropped.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point (SMTP header injection).
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "must not contain control characters such as CR or LF")
  .trim()
  .max(254)
  .pipe(z.email({ message: "must be a valid email address" }))
  // RFC 5321 §4.5.3.1.1: a longer local part cannot receive the invitation or reset link.
  .refine(
    (v) => localPartBytes(v) <= 64,
    "must be a valid email address (at most 64 characters before the @)",
  );

const utf8 = new TextEncoder();
function localPartBytes(address: string): number {
  return utf8.encode(address.slice(0, address.lastIndexOf("@"))).length;
}

const optionalText = (max: number) => LineText(max).nullable().optional();

/**
 * Empty, or E.164: "+" and 7 to 15 digits. Spaces (and the usual separators) are accepted on
 * input and removed. Returns null when the value is not acceptable.
 */
export function normalizePhone(input: string | null | undefined): string | null {
  if (input === null || input === undefined) return "";
  const compact = input.replace(/[\s().-]/g, "");
  if (compact === "") return "";
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : null;
}

export const PHONE_RULE = "must be empty or an E.164 number: + and 7 to 15 digits";

// Checked with the other fields, so that one answer names every field at fault (console audit: a
// form with three faults took three saves to learn them).
const Phone = LineText(40)
  // Over-long is said once, by the length rule.
  .refine((v) => v.length > 40 || normalizePhone(v) !== null, PHONE_RULE)
  .nullable()
  .optional()
  .describe("empty, or E.164: + and 7 to 15 digits (spaces and the usual separators are removed)");
const optionalParagraph = (max: number) => ParagraphText(max).nullable().optional();

export const Username = z
  .string()
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a CR, LF or tab at either end is refused, not trimmed away.
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "may hold letters, digits and . _ @ + - only")
  .trim()
  // NFC, so that a name typed with combining accents (e + U+0301) is the one typed precomposed;
  // marks may follow a letter or digit (Hindi's vowel signs, Vietnamese tones in NFD).
  .overwrite((v) => v.normalize("NFC"))
  .min(1, "is required")
  .max(64)
  .regex(/^[\p{L}\p{N}._@+-][\p{L}\p{M}\p{N}._@+-]*$/u, "may hold letters, digits and . _ @ + - only");

const UserFields = {
  username: Username,
  email: Email,
  firstName: Label(80),
  lastName: Label(80),
  initials: optionalText(8),
  phone: Phone,
  workRole: optionalText(80),
  professionalId: optionalText(80),
  prescriberId: optionalText(80),
  qualifications: optionalParagraph(500),
  areasOfExpertise: optionalParagraph(500),
  employeeNumber: optionalText(80),
  title: optionalText(80),
  roleId: Id,
  workspaceAccess: WorkspaceAccess.optional(),
  workspaceRoles: z.array(WorkspaceRoleAssignment).max(1000).optional(),
  expiresAt: IsoDateTime().nullable().optional(),
};

export const CreateUserBody = z.strictObject({
  ...UserFields,
  virtual: z.boolean().optional(),
  /** Omit to send an invitation instead. */
  password: z.string().max(1024, "must be at most 1024 characters").optional(),
  mustChangePassword: z.boolean().optional(),
});
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z.strictObject({
  username: UserFields.username.optional(),
  email: UserFields.email.optional(),
  firstName: UserFields.firstName.optional(),
  lastName: UserFields.lastName.optional(),
  initials: UserFields.initials,
  phone: UserFields.phone,
  workRole: UserFields.workRole,
  professionalId: UserFields.professionalId,
  prescriberId: UserFields.prescriberId,
  qualifications: UserFields.qualifications,
  areasOfExpertise: UserFields.areasOfExpertise,
  employeeNumber: UserFields.employeeNumber,
  title: UserFields.title,
  roleId: z
    .string({
      error: (issue) => (issue.input === null ? "cannot be null: a user holds exactly one role" : undefined),
    })
    .min(1)
    .max(64)
    .optional(),
  workspaceAccess: UserFields.workspaceAccess,
  workspaceRoles: UserFields.workspaceRoles,
  expiresAt: UserFields.expiresAt,
  /**
   * A virtual user has no credentials and never signs in: turning it on removes the password, the
   * two-factor enrolment and the sessions; turning it off (active users only) invites the person to
   * choose a password.
   */
  virtual: z.boolean().optional(),
  /**
   * false deactivates the user, true reactivates one deactivated (SECURITY.md 38 writes it so; as
   * SCIM's `active`): the same guards, cut-off and audit event as POST …/deactivate and …/reactivate.
   */
  active: z.boolean().optional(),
  /**
   * Changing one's own email address needs the password again (ASVS 7.5.1: a stolen session must
   * not be able to move the account's reset links to another mailbox).
   */
  currentPassword: z.string().max(4096, "must be at most 1024 characters").optional(),
});
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

export const UserSort = z.enum([
  "name",
  "-name",
  "username",
  "-username",
  "email",
  "-email",
  "createdAt",
  "-createdAt",
  "lastLoginAt",
  "-lastLoginAt",
]);

const LISTED_STATUSES = ["active", "inactive", "invited", "archived"] as const;
const STATUS_LIST = /^(all|(active|inactive|invited|archived)(,(active|inactive|invited|archived))*)$/;

/** A list's `status` filter: `all`, or the statuses asked for (repeats ignored). */
export const UserStatusQuery = z
  .string()
  .regex(STATUS_LIST, {
    error:
      "must be active, inactive, invited, archived or all, or statuses separated by commas (active,invited)",
  })
  .transform((v): "all" | (typeof LISTED_STATUSES)[number][] =>
    v === "all" ? "all" : ([...new Set(v.split(","))] as (typeof LISTED_STATUSES)[number][]),
  );

export const ListUsersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
  /**
   * One status, `all`, or several separated by commas (`active,invited`: everyone not switched off
   * or archived, the console's default view; `active,invited,inactive`: its "Show inactive").
   */
  status: UserStatusQuery.prefault("active"),
  q: z.string().trim().max(100).optional(),
  virtual: QueryBoolean.optional(),
  locked: QueryBoolean.optional(),
  roleId: Id.optional(),
  workspaceId: Id.optional(),
  /** PRODUCT.md §2 calls the two filters `role` and `workspace`: the same ids, either name. */
  role: Id.optional().describe("the same as roleId"),
  workspace: Id.optional().describe("the same as workspaceId"),
  workRole: z.string().max(80).optional(),
  lastLoginBefore: DateBound("start").optional(),
  sort: UserSort.default("name"),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

export const SeatsSchema = z.strictObject({ seats: z.number().int(), virtual: z.number().int() });
