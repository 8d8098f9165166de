/**
 * Text that is not text is refused at the door, for every route (ASVS 1.2, 2.2.1): a body that is
 * not UTF-8, and a NUL or an unpaired surrogate in any string of the path, the query or the body.
 * Neither survives a round trip through the databases (PostgreSQL refuses NUL; both store a lone
 * surrogate as U+FFFD), so a stored name would differ from the one written, and an audit event's
 * hash from the event read back. Field schemas refuse the other control characters where they
 * matter; this is the floor under all of them, raw routes (SCIM, exports) included.
 */
import { isUtf8 } from "node:buffer";
import { AppError } from "@staffgate/core";
import type { FastifyInstance, FastifyRequest } from "fastify";

// ES2024's String.prototype.isWellFormed (Node 20): false when a surrogate is unpaired.
const wellFormed = (value: string) => (value as unknown as { isWellFormed(): boolean }).isWellFormed();

export function isText(value: string): boolean {
  return !value.includes("\0") && wellFormed(value);
}

/** The path of the first string in `value` that is not text, or null. */
function firstNotText(value: unknown, path: string): string | null {
  if (typeof value === "string") return isText(value) ? null : path;
  if (typeof value !== "object" || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstNotText(value[i], path ? `${path}.${i}` : String(i));
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (!isText(key)) return at;
    const found = firstNotText(item, at);
    if (found !== null) return found;
  }
  return null;
}

function refusal(path: string): AppError {
  return new AppError("VALIDATION_FAILED", "The request holds text that is not text", {
    errors: [{ path, message: "must not contain a NUL character or an unpaired surrogate" }],
  });
}

/** Path and query values, named by where they are (as schema problems name them). */
export function checkParamsAndQuery(request: Pick<FastifyRequest, "params" | "query">): void {
  const at = firstNotText(request.params, "params") ?? firstNotText(request.query, "query");
  if (at !== null) throw refusal(at);
}

/** The `charset` parameter of a Content-Type, lower-cased, or null when there is none. */
function declaredCharset(contentType: string | undefined): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? "");
  return match ? (match[1] ?? "").toLowerCase() : null;
}

/**
 * The parser of JSON bodies, `application/json` and SCIM's `application/scim+json` alike (an empty
 * one is no body): UTF-8
 * only (RFC 8259 §8.1; other bytes are refused rather than silently replaced), parsed by Fastify's
 * own parser with prototype poisoning refused, then walked for NUL and unpaired surrogates, which
 * JSON can only carry as \u escapes (no escape, nothing to walk). Body fields are named as schema
 * problems name them.
 */
export function installInputText(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  for (const type of ["application/json", "application/scim+json"]) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: "buffer" }, (request, body, done) => {
      const bytes = body as Buffer;
      // No body under a JSON type (a client that sets Content-Type on every request, a DELETE or
      // an action without input) is no body: the route's schema says whether it needed one.
      if (bytes.length === 0) return done(null, undefined);
      // A coded body (gzip, br…) is not decoded here: read as it came it would be taken for other
      // bytes, or, plain under a false label, for what the label denies (RFC 9110 §8.4.1: 415).
      const coding = request.headers["content-encoding"];
      if (coding !== undefined && coding.trim().toLowerCase() !== "identity") {
        const detail = `Content-Encoding ${coding.slice(0, 40)} is not served: send the body as it is`;
        return done(new AppError("UNSUPPORTED_MEDIA_TYPE", detail), undefined);
      }
      const charset = declaredCharset(request.headers["content-type"]);
      if (charset !== null && charset !== "utf-8" && charset !== "utf8") {
        // Read as UTF-8 all the same, a UTF-16 body was taken for other text (pentest audit).
        const detail = `JSON bodies are UTF-8 (RFC 8259 §8.1): charset=${charset.slice(0, 40)} is not served`;
        return done(new AppError("UNSUPPORTED_MEDIA_TYPE", detail), undefined);
      }
      if (!isUtf8(bytes)) return done(new AppError("MALFORMED_JSON", "The body is not UTF-8"), undefined);
      const text = bytes.toString("utf8");
      void parse(request, text, (error, value) => {
        if (error) return done(error, undefined);
        const at = text.includes("\\u") ? firstNotText(value, "") : null;
        if (at !== null) return done(refusal(at || "(body)"), undefined);
        done(null, value);
      });
    });
  }
  app.addHook("preValidation", (request, _reply, done) => {
    try {
      checkParamsAndQuery(request);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
}
