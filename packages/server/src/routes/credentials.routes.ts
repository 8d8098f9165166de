/**
 * Password flows (issue 4 items 4–7): change one's own password, forgot / reset, accept an
 * invitation (public, the link's token is the credential), and the administrator's actions.
 */
import {
  AcceptInvitationBody,
  AdminPasswordBody,
  AdminPasswordResponse,
  ChangePasswordBody,
  FORGOT_PASSWORD_ANSWER,
  ForgotPasswordBody,
  ForgotPasswordResponse,
  IdParams,
  ResetPasswordBody,
} from "@staffgate/contract";
import { type Core, isAppError } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { PASSWORD_BODY_LIMIT, type RouteOptions, route } from "../http/route.ts";

export function credentialsRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const auth = ["auth"];
  const users = ["users"];
  const cr = core.credentials;

  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/password",
    summary: "Change one's own password (current and new); the other sessions end",
    tags: auth,
    auth: "tenant",
    body: ChangePasswordBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: null,
    handler: async ({ caller, ctx, body }) => {
      await cr.changeOwnPassword(caller, ctx, body);
    },
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/forgot-password",
    summary: "Ask for a password-reset email; always the same 202, whether or not the account exists",
    tags: auth,
    auth: "public",
    body: ForgotPasswordBody,
    status: 202,
    response: ForgotPasswordResponse,
    otherResponses: {
      429: "THROTTLED with Retry-After: too many requests from this client address (never about the account)",
    },
    handler: async ({ meta, body, request }) => {
      try {
        const outcome = await cr.forgotPassword(meta, body);
        request.log.info({ event: "auth_password_reset_requested", outcome }, "forgot-password handled");
      } catch (error) {
        // The address's throttle is told (it says nothing about the account); nothing else is.
        if (isAppError(error, "THROTTLED")) throw error;
        // Whatever fails, the answer is the same (the failure is logged, never shown).
        request.log.error(
          { err: error, event: "auth_password_reset_request_failed" },
          "forgot-password failed",
        );
      }
      return FORGOT_PASSWORD_ANSWER;
    },
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/reset-password",
    summary: "Set a new password with a reset link's token (single use); does not sign in",
    tags: auth,
    auth: "public",
    body: ResetPasswordBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: null,
    handler: async ({ meta, body }) => {
      await cr.resetPassword(meta, body);
    },
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/invitations/accept",
    summary: "Accept an invitation: choose a password with the invitation's token (single use)",
    tags: auth,
    auth: "public",
    body: AcceptInvitationBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: null,
    handler: async ({ meta, body }) => {
      await cr.acceptInvitation(meta, body);
    },
  });

  route(app, options, {
    method: "POST",
    ifMatch: true,
    url: "/api/v1/users/:id/password",
    summary:
      "Set a user's password: typed (204), random (200, shown once) or a reset link (202); mustChangePassword defaults to true; compromised: true voids the password, ends the sessions and emails a reset link (202)",
    tags: users,
    auth: "tenant",
    permission: "users.credentials",
    params: IdParams,
    body: AdminPasswordBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    status: 200,
    response: AdminPasswordResponse,
    otherResponses: {
      202: "The reset link was sent (after compromised: true, the old password no longer works)",
      204: "The typed password was set",
      409: "USER_STATE_INVALID: a virtual or archived user, or a reset link for one who is not active",
      422: "TYPED_PASSWORDS_FORBIDDEN: the tenant's settings forbid typed passwords",
    },
    raw: true,
    handler: async ({ caller, ctx, params, body, ifMatch, reply }) => {
      const result = await cr.setUserPassword(caller, ctx, params.id, body, ifMatch);
      // Shown once; the API's responses are all `Cache-Control: no-store` (security-headers.ts).
      const shown =
        result.kind === "random" ? AdminPasswordResponse.parse({ password: result.password }) : null;
      if (shown) reply.code(200).send(shown);
      else reply.code(result.kind === "link" ? 202 : 204).send();
      // Raw: the reply is sent above (three statuses); the declared schema is the 200's, for the docs.
      return shown as never;
    },
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/users/:id/invitation",
    summary: "Send an invited user a new invitation (the older link stops working)",
    tags: users,
    auth: "tenant",
    permission: "users.manage",
    params: IdParams,
    status: 202,
    response: null,
    handler: async ({ caller, ctx, params }) => {
      await cr.resendInvitation(caller, ctx, params.id);
    },
  });
}
