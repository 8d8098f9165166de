/**
 * A contract schema applied inside core (rows of an import, a SCIM body mapped to the API's): its
 * value, or 400 VALIDATION_FAILED naming every field that failed, as the HTTP layer would.
 */
import { distinctIssues } from "@staffgate/contract";
import { AppError } from "./errors.ts";

export interface SafeParser<T> {
  safeParse(value: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: { issues: { path: PropertyKey[]; message: string; code?: string; maximum?: unknown }[] };
      };
}

export function parseOrFail<T>(schema: SafeParser<T>, value: unknown, wholePath = "(body)"): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError("VALIDATION_FAILED", undefined, {
    errors: distinctIssues(result.error.issues).map((i) => ({
      path: i.path.map(String).join(".") || wholePath,
      message: i.message,
    })),
  });
}
