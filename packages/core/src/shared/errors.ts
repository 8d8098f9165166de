/** The domain's error type: a stable code from the contract catalogue plus details. */
import { type ErrorCode, errorCatalog, type FieldError } from "@staffgate/contract";

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: readonly FieldError[] | undefined;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    detail?: string,
    options: { errors?: readonly FieldError[]; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail ?? errorCatalog[code].title);
    this.name = "AppError";
    this.code = code;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
  }
}

/** Throws `code` unless `condition` holds; narrows like an assertion. */
export function ensure(condition: unknown, code: ErrorCode, detail?: string): asserts condition {
  if (!condition) throw new AppError(code, detail);
}

export function invalid(path: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { errors: [{ path, message }] });
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
