/**
 * Input refused by validation is logged (ASVS 16.3.3: attempts to bypass controls; OWASP Logging
 * Vocabulary `input_validation_fail`), naming the fields and never their values: a refused value
 * may be a password typed into the wrong field.
 */
import type { FieldError } from "@staffgate/contract";
import type { FastifyRequest } from "fastify";

/** Enough to see what was refused; a body of a thousand bad fields logs twenty. */
const MAX_FIELDS = 20;

export function logInputValidationFailure(
  request: FastifyRequest,
  code: string,
  errors: readonly FieldError[] | undefined,
): void {
  request.log.info(
    {
      event: "input_validation_fail",
      code,
      method: request.method,
      route: request.routeOptions.url,
      fields: (errors ?? []).slice(0, MAX_FIELDS).map((e) => e.path),
      actorId: request.caller?.actor.id,
      ip: request.ip,
    },
    "input refused",
  );
}
