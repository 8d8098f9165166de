/**
 * Every tenant setting as the Settings page shows it: grouped, labelled, with its unit and the
 * contract's bounds (packages/contract/src/settings.ts; settings.e2e.ts checks that this table
 * lists every setting with the same bounds). Kept here as data so the console does not bundle the
 * validation library for a handful of numbers.
 */
import type { Permission } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";

/**
 * The longest idle timeout, the tenant's and a workspace's (contract IDLE_TIMEOUT_MAX_MINUTES; a
 * value import from the contract would bundle zod, whose eval probe the console's CSP refuses:
 * fields.test.ts keeps the two equal).
 */
export const IDLE_TIMEOUT_MAX_MINUTES = 480;

export type Settings = Awaited<ReturnType<Staffgate["settings"]["get"]>>;
export type SettingKey = Exclude<keyof Settings, "version">;

export type SettingDef =
  | {
      readonly key: SettingKey;
      readonly kind: "number";
      readonly label: string;
      readonly unit: string;
      readonly min: number;
      readonly max: number;
      /** What a special value means, or why the floor is where it is. */
      readonly note?: string;
      /** Why the minimum is where it is, in the contract's words (its refusal below it says so). */
      readonly floor?: string;
    }
  | { readonly key: SettingKey; readonly kind: "boolean"; readonly label: string; readonly note?: string }
  | {
      readonly key: SettingKey;
      readonly kind: "choice";
      readonly label: string;
      readonly options: readonly { readonly value: string; readonly label: string }[];
    }
  | {
      /** One of the tenant's formal roles (chosen by name, sent as its id), or null. */
      readonly key: SettingKey;
      readonly kind: "role";
      readonly label: string;
      /** The first choice, which sends null. */
      readonly none: string;
      /** Shown under the choice; `origin` is the console's (and the API's) origin. */
      readonly note?: (origin: string) => string;
    }
  | {
      /** Some of the catalogue's permissions, or null for all of those `among` admits (the default). */
      readonly key: SettingKey;
      readonly kind: "permissions";
      readonly label: string;
      readonly among: (p: Permission) => boolean;
      /** The checkbox that stands for the default (null). */
      readonly all: string;
      readonly note?: string;
    };

export const SETTING_GROUPS: readonly { readonly title: string; readonly fields: readonly SettingDef[] }[] = [
  {
    title: "Passwords",
    fields: [
      {
        key: "passwordMinLength",
        kind: "number",
        label: "Minimum password length without MFA",
        unit: "characters",
        min: 15,
        max: 64,
        note: "15 is the NIST floor; it can only be raised.",
        floor:
          "the product's floor for a password used alone (NIST 800-63B), which a practice may only raise",
      },
      {
        key: "passwordMinLengthWithMfa",
        kind: "number",
        label: "Minimum length with MFA",
        unit: "characters",
        min: 8,
        max: 64,
        floor:
          "the product's floor for a password used with two-factor sign-in (NIST 800-63B), which a practice may only raise",
      },
      {
        key: "passwordHistory",
        kind: "number",
        label: "Password history",
        unit: "passwords",
        min: 0,
        max: 24,
        note: "Earlier passwords that may not be used again; 0 turns the check off.",
      },
      {
        key: "adminTypedPasswordsAllowed",
        kind: "boolean",
        label: "Admin-typed passwords allowed",
        note: "Off: administrators can only set a random password or send a reset link.",
      },
    ],
  },
  {
    title: "Lockout",
    fields: [
      {
        key: "lockoutThreshold",
        kind: "number",
        label: "Lockout threshold",
        unit: "failed sign-ins",
        min: 1,
        max: 100,
        note: "Failed sign-ins in a row that lock the account.",
      },
      {
        key: "lockoutMinutes",
        kind: "number",
        label: "Lockout duration",
        unit: "minutes",
        min: 0,
        max: 1440,
        note: "0 keeps the account locked until an administrator unlocks it.",
      },
    ],
  },
  {
    title: "Sessions",
    fields: [
      {
        key: "idleTimeoutMinutes",
        kind: "number",
        label: "Idle timeout",
        unit: "minutes",
        min: 1,
        max: IDLE_TIMEOUT_MAX_MINUTES,
        note: "Signed out after this long without activity. A workspace can set its own.",
      },
      {
        key: "absoluteTimeoutHours",
        kind: "number",
        label: "Absolute session limit",
        unit: "hours",
        note: "The longest a session lasts, active or not.",
        min: 1,
        max: 24,
      },
      {
        key: "maxSessionsPerUser",
        kind: "number",
        label: "Sessions one person may have open",
        unit: "sessions",
        min: 1,
        max: 100,
        note: "Signing in beyond it ends the least recently used session.",
      },
    ],
  },
  {
    title: "Two-factor sign-in (MFA)",
    fields: [
      {
        key: "mfaRequired",
        kind: "choice",
        label: "MFA requirement",
        options: [
          { value: "off", label: "Nobody (each person may turn it on)" },
          { value: "all", label: "Everyone" },
          { value: "patient_access", label: "People whose role holds patient permissions" },
        ],
      },
      {
        key: "rememberDeviceDays",
        kind: "number",
        label: "Remember device for",
        unit: "days",
        min: 0,
        max: 30,
        note: "0: ask for a code at every sign-in.",
      },
    ],
  },
  {
    title: "Emergency access",
    fields: [
      {
        key: "emergencyAccessHours",
        kind: "number",
        label: "Emergency access duration",
        unit: "hours",
        min: 1,
        max: 24,
      },
      {
        key: "emergencyPermissions",
        kind: "permissions",
        label: "Emergency access grants",
        among: (p) => p.patientScoped && p.collaborator !== "forbidden",
        all: "Every patient permission a collaborator may hold (the default)",
        note: "Untick the default to choose fewer. Emergency access never grants more than these.",
      },
    ],
  },
  {
    title: "Audit",
    fields: [
      {
        key: "auditRetentionDays",
        kind: "number",
        label: "Audit retention",
        unit: "days",
        min: 2192,
        max: 36_500,
        note: "At least six years (HIPAA).",
        floor: "six years, the least HIPAA allows, which a practice may only lengthen",
      },
      {
        key: "auditAllPatientDecisions",
        kind: "boolean",
        label: "Record every patient-permission decision",
        note: "Decisions that use a patient grant or emergency access are always recorded.",
      },
    ],
  },
  {
    title: "Provisioning (SCIM)",
    fields: [
      {
        key: "scimDefaultRoleId",
        kind: "role",
        label: "Role for users provisioned without a group",
        none: "None: refuse users that name no group",
        note: (origin) =>
          `The SCIM base URL is ${origin}/scim/v2. A SCIM client authenticates with an API token (the “API tokens” page) whose role holds users.view and users.manage (and roles.manage to create groups).`,
      },
    ],
  },
];

export type NumberSettingDef = Extract<SettingDef, { kind: "number" }>;

/**
 * Why a whole number is refused for a setting, in the contract's words ("must be at least 2,192:
 * six years, …"; fields.test.ts holds the two equal), or undefined within the bounds.
 */
export function boundsError(def: NumberSettingDef, value: number): string | undefined {
  const n = (v: number) => v.toLocaleString("en-US");
  if (value < def.min)
    return def.floor ? `must be at least ${n(def.min)}: ${def.floor}` : `must be at least ${n(def.min)}`;
  if (value > def.max) return `must be at most ${n(def.max)}`;
  return undefined;
}
