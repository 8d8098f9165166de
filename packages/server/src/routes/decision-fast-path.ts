/**
 * The decision routes' request check without zod (bench/decisions: for a check/batch of 100, zod
 * took longer than the 100 decisions). `isCheckBody` / `isBatchCheckBody` accept only bodies that
 * the contract's CheckBody / BatchCheckBody accept, and accept them unchanged (a strict object of
 * known fields has no defaults or transforms to apply). They never reject: a body they do not
 * accept goes to the zod schema, which refuses it with its usual field paths (or accepts it).
 * route.ts cross-checks every yes against the schema when validating responses (tests).
 *
 * (Writing the answers without JSON.stringify, with each reason's JSON cached, measured no faster
 * in the server: the cache's lookups miss the CPU cache as much as stringify's reads do.)
 */
import {
  type BatchCheckBody,
  type CheckBody,
  isPatientRefText,
  MAX_BATCH_CHECKS,
  PATIENT_REF_MAX_LENGTH,
} from "@staffgate/contract";

/** contract Id: a string of 1 to 64 characters. */
const ID_MAX = 64;
/** contract CheckBody: permission 1 to 80 characters. */
const PERMISSION_MAX = 80;

const text = (v: unknown, max: number): boolean => typeof v === "string" && v.length >= 1 && v.length <= max;

/** contract PatientRef. */
const patientRef = (v: unknown): boolean => text(v, PATIENT_REF_MAX_LENGTH) && isPatientRefText(v as string);

function plainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  return Object.getPrototypeOf(v) === Object.prototype;
}

/** True only for a body CheckBody accepts as is. */
export function isCheckBody(v: unknown): v is CheckBody {
  if (!plainObject(v)) return false;
  let userId = false;
  let permission = false;
  // Every key must be one of the four (strictObject refuses unknown ones), each with a valid value;
  // a key present with the value undefined (never from JSON) is left to the schema.
  for (const key in v) {
    const value = v[key];
    switch (key) {
      case "userId":
        userId = text(value, ID_MAX);
        if (!userId) return false;
        break;
      case "permission":
        permission = text(value, PERMISSION_MAX);
        if (!permission) return false;
        break;
      case "workspaceId":
        if (value !== null && !text(value, ID_MAX)) return false;
        break;
      case "patientRef":
        if (value !== null && !patientRef(value)) return false;
        break;
      default:
        return false;
    }
  }
  return userId && permission;
}

/** True only for a body BatchCheckBody accepts as is. */
export function isBatchCheckBody(v: unknown): v is BatchCheckBody {
  if (!plainObject(v) || !Object.hasOwn(v, "checks") || Object.keys(v).length !== 1) return false;
  const checks = v.checks;
  if (!Array.isArray(checks) || checks.length < 1 || checks.length > MAX_BATCH_CHECKS) return false;
  for (let i = 0; i < checks.length; i++) if (!isCheckBody(checks[i])) return false;
  return true;
}
