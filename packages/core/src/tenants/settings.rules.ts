/** The tenant security policy (PRODUCT.md §5) and its defaults. */

export interface TenantSettings {
  readonly passwordMinLength: number;
  readonly passwordMinLengthWithMfa: number;
  readonly passwordHistory: number;
  readonly lockoutThreshold: number;
  readonly lockoutMinutes: number;
  readonly mfaRequired: "off" | "all" | "patient_access";
  readonly rememberDeviceDays: number;
  readonly idleTimeoutMinutes: number;
  readonly absoluteTimeoutHours: number;
  readonly maxSessionsPerUser: number;
  readonly adminTypedPasswordsAllowed: boolean;
  readonly emergencyAccessHours: number;
  /** null: the default set (access/emergency-set.ts). */
  readonly emergencyPermissions: string[] | null;
  readonly auditRetentionDays: number;
  readonly auditAllPatientDecisions: boolean;
  readonly scimDefaultRoleId: string | null;
}

export const DEFAULT_SETTINGS: TenantSettings = {
  passwordMinLength: 15,
  passwordMinLengthWithMfa: 8,
  passwordHistory: 0,
  lockoutThreshold: 5,
  lockoutMinutes: 15,
  mfaRequired: "off",
  rememberDeviceDays: 30,
  idleTimeoutMinutes: 15,
  absoluteTimeoutHours: 12,
  maxSessionsPerUser: 50,
  adminTypedPasswordsAllowed: true,
  emergencyAccessHours: 4,
  emergencyPermissions: null,
  auditRetentionDays: 6 * 366,
  auditAllPatientDecisions: false,
  scimDefaultRoleId: null,
};

export function readSettings(json: string): TenantSettings {
  return { ...DEFAULT_SETTINGS, ...(JSON.parse(json) as Partial<TenantSettings>) };
}
