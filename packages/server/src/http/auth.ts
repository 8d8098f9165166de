/** Resolves who is calling: the operator token, or a tenant session / API token. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Caller, Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    caller?: Caller;
    operator?: boolean;
  }
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so that the comparison takes the same time whatever the lengths.
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function installAuthentication(
  app: FastifyInstance,
  core: Core,
  operatorToken: string | undefined,
): void {
  app.addHook("onRequest", async (request) => {
    const token = bearerOf(request.headers.authorization);
    if (!token) return;
    if (operatorToken && sameSecret(token, operatorToken)) {
      request.operator = true;
      return;
    }
    request.caller = await core.auth.authenticate(token);
  });
}
