/**
 * The `Idempotency-Key` request header (core shared/idempotency.ts has the rule): a signed-in
 * caller's change sent again with the same key is not carried out again; the retry gets the first
 * answer, marked `Idempotent-Replayed: true`. The key is the caller's own (two callers' keys never
 * meet) and is remembered for 24 hours.
 *
 * Only routes declared with a schema take part; those that stream or write their answer themselves
 * (exports, SCIM, the administrator's password set) ignore the header, as do reads.
 */
import { createHash } from "node:crypto";
import { AppError, type Caller, type Core, type IdempotencyScope, type KeptResponse } from "@staffgate/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";
/**
 * The draft's key is a Structured Field String: quoted, with `\"` and `\\` escaped; the bare form
 * (visible ASCII, no quote or backslash) is what most clients send.
 */
const QUOTED = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
const BARE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const MAX_KEY = 255;
/** Fields of an answer that are shown once and must not be stored for a replay. */
const SECRET_FIELDS = new Set(["token", "password", "secret", "recoveryCodes", "otpauthUrl", "csrfToken"]);
/**
 * Body fields whose values stay out of a request's fingerprint (only whether they were sent counts):
 * a fast hash over a body that holds a password would be a guessing oracle for whoever reads the
 * table. The key, the route and every other field still tell requests apart.
 */
const UNHASHED_FIELDS = new Set([
  "password",
  "currentPassword",
  "newPassword",
  "totp",
  "code",
  "token",
  "secret",
]);
/** How long a retry waits for the first request's answer to be stored, after its commit. */
const WAIT_FOR_ANSWER_MS = 2_000;
const WAIT_STEP_MS = 20;

export type Idempotency = Core["idempotency"];

function keyOf(header: string | string[] | undefined): string | null {
  if (typeof header !== "string") return null;
  const text = header.trim();
  const quoted = QUOTED.exec(text);
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, "$1") : BARE.test(text) ? text : null;
  return key && key.length <= MAX_KEY ? key : null;
}

/** JSON with object members in name order and unhashed fields' values masked: one text per meaning. */
function canonical(value: unknown, masked = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v)).join(",")}]`;
  if (value && typeof value === "object") {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, v]) => `${JSON.stringify(name)}:${canonical(v, UNHASHED_FIELDS.has(name))}`);
    return `{${members.join(",")}}`;
  }
  if (masked && value !== null) return '"*"';
  return JSON.stringify(value ?? null);
}

/** What identifies a request: its route (not its spelling), parameters, query and body, as parsed. */
export interface RequestParts {
  readonly method: string;
  readonly url: string;
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
}

/** The request's key scope, or undefined when it sent no key; a malformed key is a 400 naming the header. */
export function idempotencyScopeOf(
  request: FastifyRequest,
  caller: Caller,
  parts: RequestParts,
): IdempotencyScope | undefined {
  const header = request.headers[IDEMPOTENCY_HEADER];
  if (header === undefined) return undefined;
  const key = keyOf(header);
  if (key === null) {
    const message = `must be 1 to ${MAX_KEY} visible ASCII characters (bare, or quoted as a structured-field string), sent once`;
    throw new AppError("VALIDATION_FAILED", `Idempotency-Key ${message}`, {
      errors: [{ path: "header.Idempotency-Key", message }],
    });
  }
  const fingerprint = createHash("sha256")
    .update(`${parts.method} ${parts.url}\n`)
    .update(canonical([parts.params ?? null, parts.query ?? null, parts.body ?? null]))
    .digest("hex");
  return {
    tenantId: caller.tenantId,
    principal: caller.actor.id ?? caller.actor.type,
    key,
    fingerprint,
    claimed: false,
  };
}

/** What storing a keyed request's answer needs, fixed once the request has been handled. */
export interface Keeping {
  readonly idempotency: Idempotency;
  readonly scope: IdempotencyScope;
  readonly status: number;
  /** The answer holds a one-time secret: its body is never stored. */
  readonly secret: boolean;
  readonly request: FastifyRequest;
}

/**
 * Stores the answer before it is sent, so a retry after it finds it: by the transaction that
 * claimed the key, or recorded now for a change that none claimed for. The change has committed:
 * a failure to store its answer is logged and the answer still goes out (a retry then hears that
 * the request was carried out, IDEMPOTENT_RESPONSE_NOT_KEPT).
 */
export async function keepAnswer(
  k: Keeping,
  /** The answer's text, made only here and only when it may be stored (never a secret's). */
  body: () => string | null,
  etag: string | null,
): Promise<void> {
  const stored = { status: k.status, body: k.secret ? null : body(), etag, secret: k.secret };
  try {
    await (k.scope.claimed ? k.idempotency.keep(k.scope, stored) : k.idempotency.record(k.scope, stored));
  } catch (error) {
    k.request.log.warn({ err: error }, "idempotency key: the answer was not stored");
  }
}

/** Whether a success answer of this schema holds a one-time secret (then it is never stored). */
export function holdsSecret(schema: z.ZodType | null): boolean {
  if (schema instanceof z.ZodObject)
    return Object.entries(schema.shape as Record<string, z.ZodType>).some(
      ([name, field]) => SECRET_FIELDS.has(name) || holdsSecret(field),
    );
  if (schema instanceof z.ZodArray) return holdsSecret(schema.element as z.ZodType);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    return holdsSecret(schema.unwrap() as z.ZodType);
  return false;
}

/**
 * The first request's answer, once it is stored: it is stored just after that request's commit,
 * so a retry that met it at its commit waits for it briefly. Null when there is no earlier request.
 */
export async function earlierAnswer(
  idempotency: Idempotency,
  scope: IdempotencyScope,
): Promise<KeptResponse | null> {
  let answer = await idempotency.find(scope);
  for (let waited = 0; answer?.status === null && waited < WAIT_FOR_ANSWER_MS; waited += WAIT_STEP_MS) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    answer = await idempotency.find(scope);
  }
  return answer;
}

/**
 * Answers a retry with the first request's answer. One that was never stored (a one-time secret,
 * or a crash between the commit and the store) is said as such.
 */
export function replay(
  answer: KeptResponse,
  reply: FastifyReply,
  /** The route's `Location` for a 201, from the answer's body. */
  locate?: (body: unknown) => string,
): FastifyReply {
  if (answer.status === null || answer.secret || answer.purged) {
    const why = answer.secret
      ? "its answer held a secret shown only once, so it is not kept"
      : answer.purged
        ? "its answer showed a record since purged, so it is not kept"
        : "its answer was not kept";
    throw new AppError(
      "IDEMPOTENT_RESPONSE_NOT_KEPT",
      `The request with this Idempotency-Key was carried out; ${why}`,
    );
  }
  reply.code(answer.status).header(REPLAYED_HEADER, "true");
  if (answer.etag) reply.header("etag", answer.etag);
  if (answer.body === null) return reply.send();
  if (locate && answer.status === 201) reply.header("location", locate(JSON.parse(answer.body)));
  return reply.type("application/json; charset=utf-8").send(answer.body);
}
