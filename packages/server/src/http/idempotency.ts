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
/** Draft-ietf-httpapi-idempotency-key-header: a String (quoted); the bare form is what most clients send. */
const KEY = /^"?([\x21\x23-\x7e]{1,255})"?$/;
/** Fields of an answer that are shown once and must not be stored for a replay. */
const SECRET_FIELDS = new Set(["token", "password", "secret", "recoveryCodes", "otpauthUrl", "csrfToken"]);
/**
 * Body fields left out of a request's fingerprint: a fast hash over a body that holds a password
 * would be a guessing oracle for whoever reads the table. The key, path and every other field
 * still tell requests apart.
 */
const UNHASHED_FIELDS = /password|secret|token|totp|^code$|recoveryCode/i;
/** How long a retry waits for the first request's answer to be stored, after its commit. */
const WAIT_FOR_ANSWER_MS = 2_000;
const WAIT_STEP_MS = 20;

export type Idempotency = Core["idempotency"];

/** The request's key scope, or undefined when it sent no key; a malformed key is a 400 naming the header. */
export function idempotencyScopeOf(request: FastifyRequest, caller: Caller): IdempotencyScope | undefined {
  const header = request.headers[IDEMPOTENCY_HEADER];
  if (header === undefined) return undefined;
  const match = typeof header === "string" ? KEY.exec(header.trim()) : null;
  if (!match) {
    const message = "must be 1 to 255 visible ASCII characters, sent once";
    throw new AppError("VALIDATION_FAILED", `Idempotency-Key ${message}`, {
      errors: [{ path: "header.Idempotency-Key", message }],
    });
  }
  const fingerprint = createHash("sha256")
    .update(`${request.method} ${request.url}\n`)
    .update(
      JSON.stringify(request.body ?? null, (name, value) => (UNHASHED_FIELDS.test(name) ? undefined : value)),
    )
    .digest("hex");
  return {
    tenantId: caller.tenantId,
    principal: caller.actor.id ?? caller.actor.type,
    key: match[1]!,
    fingerprint,
    claimed: false,
  };
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
 * Answers a retry with the first request's answer. If that request has committed but not stored
 * its answer yet (it stores it before sending), waits for it briefly; an answer that was never
 * stored (a one-time secret, or a crash between the commit and the store) is said as such.
 */
export async function replay(
  idempotency: Idempotency,
  scope: IdempotencyScope,
  kept: KeptResponse,
  reply: FastifyReply,
): Promise<FastifyReply> {
  let answer: KeptResponse | null = kept;
  for (let waited = 0; answer?.status === null && !answer.secret && waited < WAIT_FOR_ANSWER_MS; ) {
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
    waited += WAIT_STEP_MS;
    answer = await idempotency.read(scope);
  }
  if (!answer || answer.status === null || answer.secret) {
    throw new AppError(
      "IDEMPOTENT_RESPONSE_NOT_KEPT",
      answer?.secret
        ? "The request with this Idempotency-Key was carried out; its answer held a secret shown only once, so it is not kept"
        : "The request with this Idempotency-Key was carried out; its answer was not kept",
    );
  }
  reply.code(answer.status).header("idempotent-replayed", "true");
  if (answer.etag) reply.header("etag", answer.etag);
  if (answer.body === null) return reply.send();
  return reply.type("application/json; charset=utf-8").send(answer.body);
}
