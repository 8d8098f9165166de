/** The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3, RFC 9470 §3), for problem+json and SCIM alike. */
import type { ErrorCode } from "@staffgate/contract";
import type { FastifyReply } from "fastify";

const BEARER = 'Bearer realm="staffgate"';
const INVALID_TOKEN = 'Bearer realm="staffgate", error="invalid_token"';
const STEP_UP =
  'Bearer realm="staffgate", error="insufficient_user_authentication", error_description="The password is needed again for this change"';

/**
 * A step-up says so, so that a client tells it from an ended session (which it is not); a request
 * whose bearer token was refused (expired, revoked, unknown) is told `invalid_token` (RFC 6750
 * §3.1), apart from one that carried none (SCIM audit, 2026-12-06).
 */
export function bearerChallenge(reply: FastifyReply, code: ErrorCode): string {
  if (code === "REAUTHENTICATION_REQUIRED") return STEP_UP;
  const header = reply.request?.headers.authorization;
  const carried = typeof header === "string" && /^bearer\s/i.test(header);
  return code === "UNAUTHENTICATED" && carried ? INVALID_TOKEN : BEARER;
}
