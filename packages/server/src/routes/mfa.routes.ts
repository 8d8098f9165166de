/**
 * TOTP MFA: /api/v1/auth/mfa/* for the signed-in user (an enrolment-only session included), and
 * the administrator's reset, POST /api/v1/users/{id}/mfa/reset (`users.credentials`).
 */
import {
  ConfirmTotpBody,
  DisableMfaBody,
  IdParams,
  MfaStatusSchema,
  NewRecoveryCodesBody,
  RecoveryCodesSchema,
  StartTotpBody,
  TotpEnrolmentSchema,
  UserSchema,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { PASSWORD_BODY_LIMIT, type RouteOptions, route } from "../http/route.ts";

export function mfaRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["auth"];

  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/mfa/totp",
    summary:
      "Start TOTP enrolment (or restart an unconfirmed one): the secret and its otpauth:// URI. More than 10 minutes after signing in, the password again (401 REAUTHENTICATION_REQUIRED without it, a step-up challenge)",
    tags,
    auth: "tenant",
    body: StartTotpBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    status: 200,
    response: TotpEnrolmentSchema,
    handler: ({ caller, ctx, body }) => core.mfa.startTotpEnrolment(caller, ctx, body ?? {}),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/mfa/totp/confirm",
    summary: "Confirm TOTP enrolment with a current code; answers 10 recovery codes, shown once",
    tags,
    auth: "tenant",
    body: ConfirmTotpBody,
    status: 200,
    response: RecoveryCodesSchema,
    handler: ({ caller, ctx, body }) => core.mfa.confirmTotp(caller, ctx, body),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/auth/mfa",
    summary: "One's own MFA: whether it is on, and how many recovery codes are unused",
    tags,
    auth: "tenant",
    response: MfaStatusSchema,
    handler: ({ caller }) => core.mfaRecovery.status(caller),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/mfa/recovery-codes",
    summary: "10 new recovery codes, shown once, voiding every earlier one (asks the password again)",
    tags,
    auth: "tenant",
    body: NewRecoveryCodesBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    status: 200,
    response: RecoveryCodesSchema,
    otherResponses: {
      412: "PRECONDITION_FAILED: another renewal ran meanwhile; the codes it showed are the ones that work",
    },
    handler: ({ caller, ctx, body }) => core.mfaRecovery.renew(caller, ctx, body),
  });

  route(app, options, {
    method: "DELETE",
    ifMatch: true,
    url: "/api/v1/auth/mfa",
    summary: "Turn one's own MFA off (asks the password again; refused while the tenant requires MFA)",
    tags,
    auth: "tenant",
    body: DisableMfaBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: null,
    handler: async ({ caller, ctx, body, ifMatch }) => {
      await core.mfa.disableMfa(caller, ctx, body, ifMatch);
    },
  });

  route(app, options, {
    method: "POST",
    ifMatch: true,
    url: "/api/v1/users/:id/mfa/reset",
    summary:
      "Reset a user's MFA: enrolment, recovery codes and remembered devices, and then ends their sessions (with nothing to clear, it changes nothing and is audited)",
    tags: ["users"],
    auth: "tenant",
    permission: "users.credentials",
    params: IdParams,
    status: 200,
    response: UserSchema,
    otherResponses: { 409: "USER_STATE_INVALID: a virtual user, who signs in with no second factor" },
    etag: (u) => u.version,
    handler: ({ caller, ctx, params, ifMatch }) => core.mfa.adminResetMfa(caller, ctx, params.id, ifMatch),
  });
}
