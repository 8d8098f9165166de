/** Opaque keyset cursors: the sort key and id of the last item, base64url JSON. */
import { AppError } from "./errors.ts";

/** A cursor this list did not hand out: 400, naming the query parameter (API.md's field errors). */
export function invalidCursor(): AppError {
  return new AppError("INVALID_CURSOR", undefined, {
    errors: [{ path: "query.cursor", message: "is not a cursor this list returned" }],
  });
}

export function encodeCursor(parts: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

export function decodeCursor(cursor: string, length: number): (string | number | null)[] {
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
  throw invalidCursor();
}

/** A keyset position of two texts (a sort key and the id), or null without a cursor. */
export function decodePairCursor(cursor: string | undefined): [string, string] | null {
  if (!cursor) return null;
  const [key, id] = decodeCursor(cursor, 2);
  if (typeof key !== "string" || typeof id !== "string") throw invalidCursor();
  return [key, id];
}
