/** /api/v1/auth: sign-in, sign-out and "who am I". */
import { LoginBody, LoginResponse, MeResponse } from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function authRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["auth"];
  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/login",
    summary: "Sign in with tenant, username or email, and password",
    tags,
    auth: "public",
    body: LoginBody,
    status: 200,
    response: LoginResponse,
    handler: ({ meta, body }) => core.auth.login(meta, body),
  });
  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/logout",
    summary: "End the current session",
    tags,
    auth: "tenant",
    response: null,
    handler: async ({ caller, meta }) => {
      await core.auth.logout(caller, meta);
    },
  });
  route(app, options, {
    method: "GET",
    url: "/api/v1/auth/me",
    summary: "The signed-in user, their tenant and tenant-level permissions",
    tags,
    auth: "tenant",
    response: MeResponse,
    handler: ({ caller }) => core.auth.me(caller),
  });
}
