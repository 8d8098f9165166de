/** Opaque keyset cursors: the sort key and id of the last item, base64url JSON. */
import { AppError } from "./errors.ts";

/**
 * A cursor this list did not hand out: 400, naming where it was sent (API.md's field errors): the
 * query parameter of a list, or the body's field for a list asked for with a POST (who-can).
 */
export function invalidCursor(path = "query.cursor"): AppError {
  return new AppError("INVALID_CURSOR", undefined, {
    errors: [{ path, message: "is not a cursor this list returned" }],
  });
}

export function encodeCursor(parts: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

export function decodeCursor(cursor: string, length: number, path?: string): (string | number | null)[] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(parts) &&
      parts.length === length &&
      parts.every((p) => p === null || ["string", "number"].includes(typeof p))
    ) {
      return parts as (string | number | null)[];
    }
  } catch {
    // fall through to the error below
  }
  throw invalidCursor(path);
}

/** A keyset position of two texts (a sort key and the id), or null without a cursor. */
export function decodePairCursor(cursor: string | undefined, path?: string): [string, string] | null {
  if (!cursor) return null;
  const [key, id] = decodeCursor(cursor, 2, path);
  if (typeof key !== "string" || typeof id !== "string") throw invalidCursor(path);
  return [key, id];
}
