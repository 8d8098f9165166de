/**
 * SCIM's HTTP conventions (RFC 7644 §3.1, §3.12): bodies are `application/scim+json` (read like
 * JSON, by http/input-text.ts), and errors use SCIM's Error message rather than
 * problem+json, since identity providers parse `status` and `scimType`. Staffgate's stable `code`,
 * field `errors` and the problem's extension members ride along as extra members.
 */
import { type ErrorCode, errorCatalog, type FieldError, statusOfCode } from "@staffgate/contract";
import type { FastifyReply } from "fastify";
import { bearerChallenge } from "./www-authenticate.ts";

export const SCIM_MEDIA_TYPE = "application/scim+json";
export const SCIM_BASES = ["/scim/v2", "/api/v1/scim/v2"] as const;
const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export function isScimUrl(url: string): boolean {
  return SCIM_BASES.some((base) => url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`));
}

const SCIM_TYPES: Partial<Record<ErrorCode, string>> = {
  SCIM_INVALID_FILTER: "invalidFilter",
  SCIM_INVALID_SYNTAX: "invalidSyntax",
  MALFORMED_JSON: "invalidSyntax",
  SCIM_INVALID_PATH: "invalidPath",
  SCIM_NO_TARGET: "noTarget",
  SCIM_INVALID_VALUE: "invalidValue",
  VALIDATION_FAILED: "invalidValue",
  SCIM_MUTABILITY: "mutability",
  USER_USERNAME_TAKEN: "uniqueness",
  USER_EMAIL_TAKEN: "uniqueness",
  ROLE_NAME_TAKEN: "uniqueness",
  SCIM_EXTERNAL_ID_TAKEN: "uniqueness",
};

export function sendScimError(
  reply: FastifyReply,
  code: ErrorCode,
  detail?: string,
  errors?: readonly FieldError[],
  extensions: Readonly<Record<string, unknown>> = {},
): FastifyReply {
  const status = statusOfCode(code);
  // SCIM has no 422: a broken business rule is a value the service provider cannot accept.
  const scimStatus = status === 422 ? 400 : status;
  // A query that fails its schema because of its filter (too long, say) is a filter the provider refuses.
  const aboutFilter =
    code === "VALIDATION_FAILED" && errors?.some((e) => e.path === "query.filter" || e.path === "filter");
  // A body that is not a JSON object at all ([], null, nothing) is not SCIM's syntax (RFC 7644 §3.12).
  const notAnObject = code === "VALIDATION_FAILED" && errors?.some((e) => e.path === "(body)");
  const scimType = aboutFilter
    ? "invalidFilter"
    : notAnObject
      ? "invalidSyntax"
      : (SCIM_TYPES[code] ?? (status === 422 ? "invalidValue" : undefined));
  // RFC 6750 §3: a bearer-protected resource says how to authenticate when it refuses.
  if (scimStatus === 401) reply.header("www-authenticate", bearerChallenge(reply, code));
  return reply
    .code(scimStatus)
    .type(`${SCIM_MEDIA_TYPE}; charset=utf-8`)
    .send({
      // What the problem+json answer would add (a password's `passwordProblem`, `retryAfter`…),
      // first, so that SCIM's own members always win: each is set, undefined ones (left out of the
      // JSON) included.
      ...extensions,
      schemas: [ERROR_SCHEMA],
      status: String(scimStatus),
      scimType,
      detail: detail ?? errorCatalog[code].title,
      code,
      errors: errors && errors.length > 0 ? errors : undefined,
    });
}

/** Weak comparison (RFC 9110 §8.8.3.2): `W/"3"` and `"3"` name the same version. */
function sameTag(a: string, b: string): boolean {
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return bare(a) === bare(b);
}

/**
 * A SCIM answer with its ETag (and Location on 201). For a GET with `If-None-Match` naming the
 * current version: 304 without a body (RFC 7644 §3.14). `shown` is the body as `attributes` or
 * `excludedAttributes` projected it: the headers still come from the whole resource, so a
 * projection without `meta` keeps its ETag.
 */
export function sendScim(
  reply: FastifyReply,
  status: number,
  body: Record<string, unknown>,
  ifNoneMatch?: string | string[],
  shown: Record<string, unknown> = body,
): FastifyReply {
  const meta = body.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) reply.header("etag", meta.version);
  const tags = typeof ifNoneMatch === "string" ? ifNoneMatch.split(",") : [];
  if (status === 200 && meta?.version && tags.some((t) => t.trim() === "*" || sameTag(t, meta.version!))) {
    return reply.code(304).send();
  }
  if (status === 201 && meta?.location) reply.header("location", meta.location);
  return reply.code(status).type(`${SCIM_MEDIA_TYPE}; charset=utf-8`).send(shown);
}
