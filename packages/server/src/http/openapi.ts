/** OpenAPI 3.1, generated from the same zod schemas the routes validate with. */

import { createHash } from "node:crypto";
import { ProblemSchema } from "@staffgate/contract";
import { z } from "zod";
import { CSRF_HEADER, SESSION_COOKIE } from "./cookies.ts";
import type { RegisteredRoute } from "./route.ts";
import { isScimUrl, SCIM_MEDIA_TYPE } from "./scim.ts";
import { DEFAULT_CSP } from "./security-headers.ts";

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
}

function parametersOf(schema: z.ZodType | undefined, where: "path" | "query") {
  if (!schema) return [];
  const js = jsonSchema(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || (js.required ?? []).includes(name),
    schema: s,
  }));
}

const IF_MATCH = {
  name: "If-Match",
  in: "header",
  required: false,
  description: 'The version last read (its ETag, e.g. "3"); a stale one is answered 412 and changes nothing',
  schema: { type: "string" },
};

const IDEMPOTENCY_KEY = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Up to 255 visible ASCII characters, your own for 24 hours: a change sent again with the same key is carried out once, and the retry gets the first answer with Idempotent-Replayed: true (422 IDEMPOTENCY_KEY_REUSED for a different request; 409 IDEMPOTENT_RESPONSE_NOT_KEPT when the first answer held a one-time secret)",
  schema: { type: "string", maxLength: 257 },
};

const REPLAYED = {
  description: "true when this is the answer to an earlier request with the same Idempotency-Key",
  schema: { type: "string", enum: ["true"] },
};

const ETAG = {
  description: 'The resource\'s version (e.g. "3"), for If-Match on a later change',
  schema: { type: "string" },
};

const LOCATION = {
  description: "The created resource's URL, a path on this server (e.g. /api/v1/users/usr_…)",
  schema: { type: "string" },
};

const RETRY_AFTER = { description: "Seconds to wait before trying again", schema: { type: "integer" } };

/** The problem's JSON Schema, converted once for every response that names it. */
let problemSchema: unknown;

/** A response whose body is an RFC 9457 problem. */
function problem(description: string) {
  problemSchema ??= jsonSchema(ProblemSchema, "output");
  return { description, content: { "application/problem+json": { schema: problemSchema } } };
}

/** SCIM's Error message (RFC 7644 §3.12), which SCIM routes answer instead of a problem (http/scim.ts). */
const SCIM_ERROR_SCHEMA = {
  type: "object",
  required: ["schemas", "status"],
  properties: {
    schemas: { type: "array", items: { const: "urn:ietf:params:scim:api:messages:2.0:Error" } },
    status: { type: "string", description: "The HTTP status, as a string" },
    scimType: { type: "string", description: "invalidFilter, invalidSyntax, invalidValue, uniqueness…" },
    detail: { type: "string" },
    code: { type: "string", description: "Staffgate's stable error code" },
    errors: { type: "array", items: { type: "object" }, description: "The fields at fault" },
  },
};

/** A SCIM route's refusals: the same statuses and descriptions, in SCIM's media type and Error message. */
function asScimErrors(responses: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(responses).map(([code, response]) => {
      const r = response as { content?: Record<string, unknown> };
      if (!r.content?.["application/problem+json"]) return [code, response];
      const description = code === "default" ? "A SCIM Error message (RFC 7644 §3.12)" : undefined;
      return [
        code,
        {
          ...r,
          ...(description ? { description } : {}),
          content: { [SCIM_MEDIA_TYPE]: { schema: SCIM_ERROR_SCHEMA } },
        },
      ];
    }),
  );
}

/**
 * The refusals API.md's status list gives every route of a kind, so that a client generated from
 * the document sees them named (a route's own `otherResponses` say more, and win).
 */
function commonResponses(r: RegisteredRoute): Record<string, unknown> {
  return {
    // Every route refuses an unknown query parameter, and parses its path, query and body.
    "400": problem(
      "VALIDATION_FAILED (or another 400 code): the input is not valid; `errors` names each field",
    ),
    ...(r.auth === "public"
      ? {}
      : { "401": problem("UNAUTHENTICATED: no valid session, API token or operator token") }),
    ...(r.auth === "operator"
      ? { "403": problem("FORBIDDEN: a tenant's session or API token; only the operator token may") }
      : {}),
    ...(r.auth === "tenant"
      ? {
          "403": problem(
            "FORBIDDEN: the caller may not do this; or a confined session (PASSWORD_CHANGE_REQUIRED, MFA_ENROLMENT_REQUIRED), or CSRF_TOKEN_INVALID (a cookie request without its CSRF proof)",
          ),
        }
      : {}),
    ...(r.params ? { "404": problem("Not found: missing, or in another tenant (the same answer)") } : {}),
    ...(r.method === "GET"
      ? {}
      : {
          "413": problem("PAYLOAD_TOO_LARGE: the body is over the route's limit"),
          "415": problem("UNSUPPORTED_MEDIA_TYPE: the body is not JSON"),
        }),
    // Any route while the service stops or its database cannot be reached (http/shutting-down.ts).
    "503": problem(
      "NOT_READY: the service is shutting down (on /readyz also: its database cannot be reached); SERVICE_BUSY (where a password is checked): too many are waiting. Retry-After says when to try again",
    ),
  };
}

/** A body a route sends as it is (not through a schema): JSON ones are objects, the rest text. */
function producedSchema(type: string, description: string) {
  return /[/+]json$/.test(type) ? { type: "object", description } : { type: "string", description };
}

/**
 * A stable, unique operationId for code generators (integrator audit: none had one), from the
 * method and the path: `GET /api/v1/users/{id}/effective-permissions` → `getUsersByIdEffectivePermissions`. `/api/v1` is
 * left out; the SCIM copy under it keeps it (`getApiV1ScimV2Users`) so that both stay unique.
 */
function operationIdOf(method: string, path: string): string {
  const rest = path.startsWith("/api/v1/") && !path.startsWith("/api/v1/scim/") ? path.slice(7) : path;
  const words = rest
    .split("/")
    .filter((part) => part !== "")
    .flatMap((part) => {
      const param = /^\{(.+)\}$/.exec(part);
      return param ? ["by", param[1]!] : part.split(/[^A-Za-z0-9]+/);
    })
    .filter((w) => w !== "");
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

export function buildOpenApi(routes: readonly RegisteredRoute[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, "{$1}");
    const responses: Record<string, unknown> = {
      // A route that only refuses (SCIM's unsupported ones) documents that refusal, not a success.
      [String(r.status)]:
        r.status >= 400
          ? problem(r.summary)
          : r.response
            ? {
                description: "Success",
                ...(r.etag || r.idempotent || r.location
                  ? {
                      headers: {
                        ...(r.etag ? { ETag: ETAG } : {}),
                        ...(r.location ? { Location: LOCATION } : {}),
                        ...(r.idempotent ? { "Idempotent-Replayed": REPLAYED } : {}),
                      },
                    }
                  : {}),
                content: { "application/json": { schema: jsonSchema(r.response, "output") } },
              }
            : r.produces
              ? {
                  description: "Success",
                  content: Object.fromEntries(
                    Object.entries(r.produces).map(([type, description]) => [
                      type,
                      { schema: producedSchema(type, description) },
                    ]),
                  ),
                }
              : {
                  description: "Success",
                  ...(r.idempotent ? { headers: { "Idempotent-Replayed": REPLAYED } } : {}),
                },
      ...commonResponses(r),
      ...Object.fromEntries(
        Object.entries(r.otherResponses ?? {}).map(([code, description]) => [
          code,
          Number(code) >= 400 ? problem(description) : { description },
        ]),
      ),
      ...(r.ifMatch ? { "412": problem("If-Match names a version that is no longer current") } : {}),
      ...(r.idempotent
        ? {
            "422": problem(
              "IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used for another request (or a rule was broken)",
            ),
            "409": problem(
              "IDEMPOTENT_RESPONSE_NOT_KEPT: carried out before, its answer not kept (or another conflict)",
            ),
          }
        : {}),
      // Tenant routes and sign-in's are rate-limited or throttled (API.md: each 429 says when to retry).
      ...(r.auth === "tenant" || r.url.startsWith("/api/v1/auth/")
        ? { "429": { ...problem("Too many requests"), headers: { "Retry-After": RETRY_AFTER } } }
        : {}),
      default: problem("An RFC 9457 problem"),
    };
    const scim = isScimUrl(r.url);
    const bodyMedia = r.body ? { schema: jsonSchema(r.body, "input") } : undefined;
    paths[path] ??= {};
    const operationId = operationIdOf(r.method, path);
    if (operationIds.has(operationId)) throw new Error(`Two operations would be ${operationId}`);
    operationIds.add(operationId);
    paths[path][r.method.toLowerCase()] = {
      operationId,
      summary: r.summary,
      tags: r.tags,
      ...(r.permission
        ? { description: `Requires the \`${r.permission}\` permission.` }
        : r.needs
          ? { description: `Requires ${r.needs}.` }
          : {}),
      security:
        r.auth === "public"
          ? []
          : r.auth === "operator"
            ? [{ bearer: [] }]
            : [{ bearer: [] }, { cookie: [] }],
      parameters: [
        ...parametersOf(r.params, "path"),
        ...parametersOf(r.query, "query"),
        ...(r.ifMatch ? [IF_MATCH] : []),
        ...(r.idempotent ? [IDEMPOTENCY_KEY] : []),
      ],
      ...(r.body
        ? {
            requestBody: {
              // A body the route may go without (starting MFA enrolment, a restore, a copy) is optional.
              required: !r.body.safeParse(undefined).success,
              // SCIM routes read either media type (http/input-text.ts), the same schema.
              content: Object.fromEntries(
                (scim ? [SCIM_MEDIA_TYPE, "application/json"] : ["application/json"]).map((type) => [
                  type,
                  bodyMedia,
                ]),
              ),
            },
          }
        : {}),
      responses: scim ? asScimErrors(responses) : responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Staffgate API",
      version,
      // What every path answers besides its operations, said once rather than on each (API audit).
      description:
        "Users, roles, workspaces, patient access and audit for multi-tenant clinical software. " +
        "Every GET operation also answers HEAD (the same status and headers, no body). A method a " +
        "path does not serve is answered 405 `METHOD_NOT_ALLOWED` with `Allow`, an unknown path 404 " +
        "`ROUTE_NOT_FOUND`, both as application/problem+json.",
    },
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A session token from sign-in, an API token, or the operator token",
        },
        cookie: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE,
          description: `The console's session; unsafe methods also need the \`${CSRF_HEADER}\` header from sign-in`,
        },
      },
    },
    paths,
  };
}

const DOCS_STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .25rem}h2{margin-top:2rem}pre{background:#f7f7f7;padding:.5rem;overflow:auto;font-size:12px}`;

/**
 * The docs page's Content-Security-Policy: the server's default, plus this one inline stylesheet by
 * its hash (the default's `default-src 'self'` refuses inline styles, and the page rendered bare).
 */
export const DOCS_CSP = `${DEFAULT_CSP}; style-src 'self' 'sha256-${createHash("sha256").update(DOCS_STYLE).digest("base64")}'`;

/** A dependency-free docs page: every operation with its summary, rendered from the document. */
export function docsPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Staffgate API</title>
<style>${DOCS_STYLE}</style>
</head><body><h1>Staffgate API</h1><p>The machine-readable document is at <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script src="/api/docs.js"></script></body></html>`;
}

export const docsScript = `fetch('/api/openapi.json').then(r=>r.json()).then(doc=>{
const root=document.getElementById('ops');root.textContent='';
for(const [path,ops] of Object.entries(doc.paths)){for(const [m,op] of Object.entries(ops)){
const h=document.createElement('h2');const c=document.createElement('code');c.textContent=m.toUpperCase()+' '+path;h.append(c);
const p=document.createElement('p');p.textContent=op.summary+(op.description?' — '+op.description:'');
const d=document.createElement('details');const s=document.createElement('summary');s.textContent='Schemas';
const pre=document.createElement('pre');pre.textContent=JSON.stringify({parameters:op.parameters,requestBody:op.requestBody,responses:op.responses},null,2);
d.append(s,pre);root.append(h,p,d);}}});`;
