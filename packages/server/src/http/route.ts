/**
 * Declares a route once: its schemas validate the request (and, in tests, the response), its
 * permission is checked on every request, and the same declaration feeds the OpenAPI document.
 */
import { isDeepStrictEqual } from "node:util";
import type { Caller, Ctx, RequestMeta } from "@staffgate/core";
import { AppError } from "@staffgate/core";
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import { z } from "zod";
import {
  earlierAnswer,
  holdsSecret,
  type Idempotency,
  idempotencyScopeOf,
  keepAnswer,
  replay,
} from "./idempotency.ts";
import { zodFieldErrors } from "./problem.ts";
import type { RateClass, RateLimiter } from "./rate-limit.ts";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Bodies that carry a password may hold 2 MiB, so that a password of a megabyte (2^20 ASCII
 * characters, with the JSON around it) is refused by its field's rule, 400 naming the field, like
 * any password over the cap (SECURITY.md A-10), and not by the body's size, 413; both answer in
 * a few tens of milliseconds and hash nothing. Every other body stays within the server's 1 MiB.
 */
export const PASSWORD_BODY_LIMIT = 2 * 1024 * 1024;
export type AuthMode = "public" | "operator" | "tenant";

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerInput<P, Q, B, A extends AuthMode> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly caller: A extends "tenant" ? Caller : undefined;
  readonly ctx: A extends "tenant" ? Ctx : undefined;
  readonly meta: RequestMeta;
  /** The version from `If-Match`, when one was sent. */
  readonly ifMatch: number | undefined;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

export interface RouteSpec<
  PS extends Schema | undefined,
  QS extends Schema | undefined,
  BS extends Schema | undefined,
  RS extends Schema | null,
  A extends AuthMode,
> {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly auth: A;
  /** A permission key the caller must hold at tenant level, or a rule; checked before the handler. */
  readonly permission?: string | PermissionRule<Out<PS>, Out<BS>>;
  readonly params?: PS;
  readonly query?: QS;
  readonly body?: BS;
  readonly status?: number;
  /** The success body's schema; null for 204 and for handlers that stream their own reply. */
  readonly response: RS;
  /** Other success statuses a raw handler may answer, without a body (status → description), for the docs. */
  readonly otherResponses?: Readonly<Record<number, string>>;
  /**
   * A quick test that says yes only to bodies `body` accepts, and accepts them unchanged (it may
   * stand in for the schema when it says yes); anything else is parsed by the schema, which
   * reports the errors. For hot routes; with validateResponses (tests) every yes is cross-checked.
   */
  readonly acceptsBody?: (body: unknown) => boolean;
  /**
   * The handler compares `If-Match` with the resource's version (412 when stale): the header
   * reaches the handler only then, and the OpenAPI document lists it only then.
   */
  readonly ifMatch?: boolean;
  /** Sets `ETag` from the response (the resource's version). */
  readonly etag?: (body: RS extends Schema ? z.output<RS> : never) => number;
  /** A 201's `Location`: the created resource's own URL (RFC 9110 §15.3.2), from the response. */
  readonly location?: (body: RS extends Schema ? z.output<RS> : never) => string;
  /** The handler writes the reply itself (streams). */
  readonly raw?: boolean;
  /** A raw handler's media types (type → what it holds), for the docs. */
  readonly produces?: Readonly<Record<string, string>>;
  /**
   * What a request costs in the rate limit (http/rate-limit.ts): `decision` for the decision
   * routes, `bulk` for whole-tenant exports and imports; a route whose query takes `limit` is a `list`.
   */
  readonly rate?: "decision" | "bulk";
  /**
   * The most a body may hold (bytes), when not the server's (1 MiB): routes whose body carries a
   * password take PASSWORD_BODY_LIMIT.
   */
  readonly bodyLimit?: number;
  /**
   * False: the route ignores `Idempotency-Key` though it is a change with a schema (SCIM's DELETE:
   * RFC 7644 has no such header, and SCIM's errors have no 422).
   */
  readonly idempotencyKey?: false;
  /** May answer synchronously (the decision routes do when no read is needed). */
  readonly handler: (
    input: HandlerInput<Out<PS>, Out<QS>, Out<BS>, A>,
  ) => Promise<RS extends Schema ? z.output<RS> : void> | (RS extends Schema ? z.output<RS> : void);
}

/**
 * Who may call a route when one permission key does not say it: `allows` decides, `needs` says it
 * in words ("an API token or the users.view permission"), for the 403's detail and the OpenAPI
 * description, so a refused caller learns what was missing.
 */
export interface PermissionRule<P, B> {
  readonly needs: string;
  readonly allows: (caller: Caller, input: { params: P; body: B }) => boolean;
}

/** Any one of these permission keys. */
export function anyOf(...keys: readonly string[]): PermissionRule<unknown, unknown> {
  const listed = keys.length === 2 ? keys.join(" or ") : `${keys.slice(0, -1).join(", ")} or ${keys.at(-1)}`;
  return {
    needs: `one of the ${listed} permissions`,
    allows: (caller) => keys.some((k) => caller.permissions.has(k)),
  };
}

export interface RegisteredRoute {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly auth: AuthMode;
  readonly permission: string | null;
  /** A rule's words when `permission` is null and a rule decides. */
  readonly needs?: string;
  readonly params?: Schema;
  readonly query?: Schema;
  readonly body?: Schema;
  readonly status: number;
  readonly response: Schema | null;
  readonly otherResponses?: Readonly<Record<number, string>>;
  readonly ifMatch?: boolean;
  /** The success answer carries `ETag` (the resource's version). */
  readonly etag?: boolean;
  /** The 201 carries `Location`. */
  readonly location?: boolean;
  /** Takes an `Idempotency-Key` (http/idempotency.ts). */
  readonly idempotent?: boolean;
  readonly produces?: Readonly<Record<string, string>>;
}

export interface RouteOptions {
  readonly validateResponses: boolean;
  /** False when no operator token is configured: the operator routes then say that they are off. */
  readonly operatorApi?: boolean;
  readonly registry: RegisteredRoute[];
  /** The request rate limit; each tenant route gets its class's hook (http/rate-limit.ts). */
  readonly rateLimiter?: RateLimiter;
  /** Idempotency-Key handling (http/idempotency.ts); without it the header is ignored. */
  readonly idempotency?: Idempotency;
}

/** A password field (password, newPassword, currentPassword) refused for its size. */
const tooLongPassword = (issue: z.core.$ZodIssue) =>
  issue.code === "too_big" && /password$/i.test(String(issue.path.at(-1) ?? ""));

function parseOrThrow<S extends Schema>(schema: S, value: unknown, prefix: string): z.output<S> {
  // A parameter given twice arrives as a list, which its schema described as "must be a number"
  // or "must be text" (input audit): no parameter takes a list, so say what is wrong. Only those
  // the schema names: an unknown one is "not a known field", and SCIM's loose query ignores those
  // it does not read (`sortBy`), given twice or not.
  const named = (schema as { shape?: Record<string, unknown> }).shape;
  const repeated =
    prefix === "query" && value && named
      ? Object.keys(value).filter((k) => k in named && Array.isArray((value as Record<string, unknown>)[k]))
      : [];
  if (repeated.length > 0) {
    throw new AppError("VALIDATION_FAILED", "The query is not valid", {
      errors: repeated.map((name) => ({ path: `query.${name}`, message: "must be given once" })),
    });
  }
  // A body of `null` is a body (refused unless the schema takes it), never taken for none: an
  // optional body took it as "no body" and silently ignored what the client sent.
  const result = schema.safeParse(prefix === "body" ? value : (value ?? {}));
  if (!result.success) {
    // No body at all where one is required names the fields it lacks, as `{}` would (API.md:
    // errors name the field); a body that `{}` would satisfy is still required as such.
    if (prefix === "body" && value === undefined) {
      const asEmpty = schema.safeParse({});
      if (!asEmpty.success)
        throw new AppError("VALIDATION_FAILED", "The body is not valid", {
          errors: zodFieldErrors(asEmpty.error),
        });
    }
    // A password far past the cap is refused by its schema before the policy sees it; it carries
    // the policy's reason all the same, as one just past the cap does (decisions.md).
    const tooLong = result.error.issues.some(tooLongPassword);
    // "The params is not valid" read badly: path parameters are the path's.
    const part = prefix === "params" ? "path" : prefix;
    throw new AppError("VALIDATION_FAILED", `The ${part} is not valid`, {
      errors: zodFieldErrors(result.error, prefix === "body" ? undefined : prefix),
      ...(tooLong ? { extensions: { passwordProblem: "TOO_LONG" } } : {}),
    });
  }
  return result.data;
}

/** The body through the route's quick test when it has one and says yes, else through its schema. */
function parseBody(
  spec: { readonly body?: Schema; readonly acceptsBody?: (body: unknown) => boolean },
  value: unknown,
  crossCheck: boolean,
): unknown {
  const schema = spec.body!;
  if (spec.acceptsBody?.(value)) {
    if (crossCheck) {
      const parsed = schema.safeParse(value);
      if (!parsed.success || !isDeepStrictEqual(parsed.data, value))
        throw new Error("acceptsBody() accepted a body its schema does not accept as is");
    }
    return value;
  }
  return parseOrThrow(schema, value, "body");
}

/**
 * A route without query parameters refuses any, as an unknown body field is refused: ignored, a
 * `?dryRun=true` on the CSV import ran the import for real (found by the CLI/CSV audit).
 */
function refuseAnyQuery(query: unknown): undefined {
  const names = query && typeof query === "object" ? Object.keys(query) : [];
  if (names.length === 0) return undefined;
  throw new AppError("VALIDATION_FAILED", "This endpoint takes no query parameters", {
    errors: names.map((name) => ({ path: `query.${name}`, message: "is not a known field" })),
  });
}

/** `"3"`, `W/"3"` → 3; absent or `*` → undefined; anything else fails the precondition. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  // Versions are small counters: more than 15 digits is no ETag this API sent (and would not
  // round-trip through a number: "1e+23" came back in the refusal).
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) throw new AppError("PRECONDITION_FAILED", "If-Match must be an ETag this API sent");
  return Number(match[1]);
}

export function etagOf(version: number): string {
  return `"${version}"`;
}

export function metaOf(request: FastifyRequest): RequestMeta {
  const ua = request.headers["user-agent"];
  return {
    ip: request.ip ?? null,
    userAgent: typeof ua === "string" ? ua.slice(0, 512) : null,
    requestId: request.id,
  };
}

/**
 * Confined sessions (issue 4 items 8 and 9), enforced here for every route rather than per route.
 * A user who must change their password may only see who they are, sign out and change it; a
 * session signed in without the MFA the tenant requires may only see who it is, sign out and
 * enrol (plus the password change when that is due too). Everything else is 403.
 */
const ALWAYS_ALLOWED = new Set(["GET /api/v1/auth/me", "POST /api/v1/auth/logout"]);
const PASSWORD_CHANGE = "POST /api/v1/auth/password";
const MFA_PREFIX = "/api/v1/auth/mfa";

export function confine(caller: Caller, method: Method, url: string): void {
  const enrolment = caller.sessionPurpose === "mfa_enrolment";
  const passwordChange = caller.mustChangePassword || caller.sessionPurpose === "password_change";
  if (!enrolment && !passwordChange) return;
  const key = `${method} ${url}`;
  if (ALWAYS_ALLOWED.has(key)) return;
  if (passwordChange && key === PASSWORD_CHANGE) return;
  if (enrolment && (url === MFA_PREFIX || url.startsWith(`${MFA_PREFIX}/`))) return;
  throw new AppError(enrolment ? "MFA_ENROLMENT_REQUIRED" : "PASSWORD_CHANGE_REQUIRED");
}

function refuseUnless<P, B>(
  permission: string | PermissionRule<P, B>,
  caller: Caller,
  input: { params: P; body: B },
): void {
  const allowed =
    typeof permission === "string" ? caller.permissions.has(permission) : permission.allows(caller, input);
  if (!allowed) {
    throw new AppError(
      "FORBIDDEN",
      `This needs ${typeof permission === "string" ? `the ${permission} permission` : permission.needs}`,
    );
  }
}

/**
 * A signed-in caller's change declared with a schema: not a read (GET, or the decision routes,
 * which are POSTs that change nothing), nor a raw handler, which writes its own answer, nor a
 * route that declines the header.
 */
function takesIdempotencyKey(spec: {
  method: Method;
  raw?: boolean;
  auth: AuthMode;
  rate?: string;
  idempotencyKey?: false;
}): boolean {
  return (
    spec.auth === "tenant" &&
    spec.method !== "GET" &&
    !spec.raw &&
    spec.rate !== "decision" &&
    spec.idempotencyKey !== false
  );
}

/**
 * A route's onRequest check of its caller: the operator token for operator routes; for tenant
 * routes a caller (401, or the CSRF refusal), the session's confinement, and a permission that
 * needs only the caller (403). Public routes have none.
 */
function admission(
  spec: { auth: AuthMode; method: Method; url: string; permission?: string | PermissionRule<never, never> },
  options: RouteOptions,
  permissionNeedsOnlyCaller: boolean,
): onRequestHookHandler | undefined {
  if (spec.auth === "public") return undefined;
  if (spec.auth === "operator") {
    return (request, _reply, done) => {
      if (request.operator) return done();
      // A tenant's session or API token is authenticated, just not permitted here: 403, not 401.
      const signedIn = request.caller !== undefined || request.csrfRejected === true;
      // Off, no token can ever succeed: say so, rather than send the operator looking for one.
      done(
        new AppError(
          signedIn ? "FORBIDDEN" : "UNAUTHENTICATED",
          options.operatorApi === false
            ? "The operator API is off: this server was started without STAFFGATE_OPERATOR_TOKEN"
            : "The operator token is required",
        ),
      );
    };
  }
  const permission = permissionNeedsOnlyCaller ? spec.permission : undefined;
  return (request, _reply, done) => {
    const caller = request.caller;
    if (!caller) return done(new AppError(request.csrfRejected ? "CSRF_TOKEN_INVALID" : "UNAUTHENTICATED"));
    try {
      confine(caller, spec.method, spec.url);
      // A permission that needs only the caller is checked before the input is: a caller without
      // it learns 403, not what the body should have held (SECURITY.md G-46/51, deny by default).
      if (permission)
        refuseUnless(permission, caller, { params: undefined as never, body: undefined as never });
    } catch (error) {
      return done(error as Error);
    }
    done();
  };
}

export function route<
  PS extends Schema | undefined,
  QS extends Schema | undefined,
  BS extends Schema | undefined,
  RS extends Schema | null,
  A extends AuthMode,
>(app: FastifyInstance, options: RouteOptions, spec: RouteSpec<PS, QS, BS, RS, A>): void {
  // A raw handler answers for itself (a stream, SCIM's own media type): 200 unless it says otherwise.
  const status =
    spec.status ?? (spec.raw ? 200 : spec.response === null ? 204 : spec.method === "POST" ? 201 : 200);
  options.registry.push({
    method: spec.method,
    url: spec.url,
    summary: spec.summary,
    tags: spec.tags,
    auth: spec.auth,
    permission: typeof spec.permission === "string" ? spec.permission : null,
    ...(typeof spec.permission === "object" ? { needs: spec.permission.needs } : {}),
    ...(spec.params ? { params: spec.params } : {}),
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.body ? { body: spec.body } : {}),
    status,
    response: spec.response,
    ...(spec.otherResponses ? { otherResponses: spec.otherResponses } : {}),
    ...(spec.ifMatch ? { ifMatch: true } : {}),
    ...(spec.etag ? { etag: true } : {}),
    ...(spec.location && status === 201 ? { location: true } : {}),
    ...(takesIdempotencyKey(spec) ? { idempotent: true } : {}),
    ...(spec.produces ? { produces: spec.produces } : {}),
  });
  const permissionNeedsOnlyCaller =
    typeof spec.permission === "string" ||
    (typeof spec.permission === "object" && spec.permission.allows.length < 2);
  const shape = spec.query instanceof z.ZodObject ? spec.query.shape : {};
  const rate: RateClass = spec.rate ?? ("limit" in shape ? "list" : "count" in shape ? "scim-list" : "api");
  const limit = spec.auth === "tenant" ? options.rateLimiter?.hookFor(rate) : undefined;
  const idempotency = takesIdempotencyKey(spec) ? options.idempotency : undefined;
  const secretAnswer = holdsSecret(spec.response);
  const locate = spec.location && status === 201 ? (spec.location as (body: unknown) => string) : undefined;
  // Who the caller is, and what needs only the caller, is settled before the body is read: an
  // unauthenticated client learns 401, not whether its body would parse (400, 415) or fit (413),
  // and the server reads no body for it. After the rate limit's hook, which counts callers only.
  const admit = admission(spec, options, permissionNeedsOnlyCaller);
  const onRequest = limit && admit ? [limit, admit] : (limit ?? admit);
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
    ...(onRequest ? { onRequest } : {}),
    handler: async (request, reply) => {
      const meta = metaOf(request);
      // Admitted by the onRequest hook: a tenant route has its caller by now.
      const caller = spec.auth === "tenant" ? request.caller : undefined;
      const params = spec.params ? parseOrThrow(spec.params, request.params, "params") : undefined;
      const query = spec.query
        ? parseOrThrow(spec.query, request.query, "query")
        : refuseAnyQuery(request.query);
      // No body, or an empty JSON object (what some clients send for an action); `null` and `[]` are
      // bodies too, and refused like any other.
      if (!spec.body && request.body !== undefined && spec.method !== "GET") {
        const b = request.body;
        if (typeof b !== "object" || b === null || Array.isArray(b) || Object.keys(b).length > 0) {
          throw new AppError("VALIDATION_FAILED", "This endpoint takes no body", {
            errors: [{ path: "(body)", message: "must be empty: this endpoint takes no body" }],
          });
        }
      }
      const body = spec.body ? parseBody(spec, request.body, options.validateResponses) : undefined;
      if (caller && spec.permission && !permissionNeedsOnlyCaller) {
        refuseUnless(spec.permission, caller, { params: params as Out<PS>, body: body as Out<BS> });
      }
      const ifMatch = spec.ifMatch ? parseIfMatch(request.headers["if-match"]) : undefined;
      const ctx: Ctx | undefined = caller
        ? { ...meta, tenantId: caller.tenantId, actor: caller.actor }
        : undefined;
      // No closure is named per request here: tsx (esbuild's keepNames) wraps every named function
      // in a `__name` call that redefines its name, 3–4% of a `/check`'s main-thread time.
      const input: HandlerInput<Out<PS>, Out<QS>, Out<BS>, A> = {
        params: params as Out<PS>,
        query: query as Out<QS>,
        body: body as Out<BS>,
        caller: caller as HandlerInput<Out<PS>, Out<QS>, Out<BS>, A>["caller"],
        ctx: ctx as HandlerInput<Out<PS>, Out<QS>, Out<BS>, A>["ctx"],
        meta,
        ifMatch,
        request,
        reply,
      };
      const scope =
        idempotency && caller
          ? idempotencyScopeOf(request, caller, { method: spec.method, url: spec.url, params, query, body })
          : undefined;
      let result: Awaited<ReturnType<typeof spec.handler>>;
      if (idempotency && scope) {
        // A retry is answered before anything runs: no password is checked and no throttle counts.
        const earlier = await earlierAnswer(idempotency, scope);
        if (earlier) return replay(earlier, reply, locate);
        try {
          result = await idempotency.run(scope, () => spec.handler(input));
        } catch (error) {
          // Another request with this key committed first (shared/idempotency.ts): found at the
          // claim, or met earlier as its effect (a session it ended is 404 to a copy that read it
          // before claiming; found by CI under load). A failed request's own claim rolled back, so
          // a key kept now is another's.
          // The request's own refusal stands if the key's other use cannot be told (a key reused
          // meanwhile for another request: that is no answer to this one).
          const first = await earlierAnswer(idempotency, scope).catch(() => null);
          if (!first) throw error;
          return replay(first, reply, locate);
        }
      } else result = await spec.handler(input);
      if (spec.raw) return reply;
      // A keyed request's answer is stored before it is sent (keepAnswer says why). Its text is made
      // only when a key asked for it: no other request pays for it.
      const keeping =
        idempotency && scope ? { idempotency, scope, status, secret: secretAnswer, request } : null;
      if (spec.response === null) {
        if (keeping) await keepAnswer(keeping, () => null, null);
        return reply.code(status).send();
      }
      if (options.validateResponses) {
        const check = spec.response.safeParse(result);
        if (!check.success) {
          request.log.error(
            { issues: check.error.issues, url: spec.url },
            "response does not match its schema",
          );
          throw new Error(`response of ${spec.method} ${spec.url} does not match its schema`);
        }
      }
      const etag = spec.etag ? etagOf(spec.etag(result as never)) : null;
      if (etag) reply.header("etag", etag);
      if (locate) reply.header("location", locate(result));
      if (keeping) await keepAnswer(keeping, () => JSON.stringify(result), etag);
      return reply.code(status).send(result);
    },
  });
}
