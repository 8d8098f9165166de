/** The domain's error type: a stable code from the contract catalogue plus details. */
import { type ErrorCode, errorCatalog, type FieldError } from "@staffgate/contract";

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: readonly FieldError[] | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;
  /** The log's name for this refusal when the code alone does not tell it; never sent. */
  readonly logAs: string | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    options: { errors?: readonly FieldError[]; extensions?: Record<string, unknown>; logAs?: string } = {},
  ) {
    super(detail ?? errorCatalog[code].title);
    this.name = "AppError";
    this.code = code;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
    this.logAs = options.logAs;
  }
}

/** Throws `code` unless `condition` holds; narrows like an assertion. */
export function ensure(condition: unknown, code: ErrorCode, detail?: string): asserts condition {
  if (!condition) throw new AppError(code, detail);
}

/**
 * A signed-in person's password, asked again before a sensitive change (step-up), did not match:
 * 403 (not permitted; SECURITY.md A-5), never 401, which would end the console's session; the
 * field is named so the form can say so beside it.
 */
export function wrongPassword(path: string, message: string): AppError {
  return new AppError("REAUTHENTICATION_FAILED", `${path} ${message}`, { errors: [{ path, message }] });
}

export function invalid(path: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { errors: [{ path, message }] });
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/**
 * Refusals of what the caller may do (ASVS 16.3.2, 16.3.3): audited as `authz.failed` and logged
 * as `authz_fail` wherever they are met, a request's answer or a CSV import's row.
 */
export const AUTHORIZATION_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "FORBIDDEN",
  "PRIVILEGE_ESCALATION",
  "SELF_ROLE_CHANGE",
  "SELF_ACTION_FORBIDDEN",
]);
