/** Liveness, readiness, the OpenAPI document and its docs page. */
import type { Core } from "@staffgate/core";
import { migrationsAreCurrent } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { buildOpenApi, docsPage, docsScript } from "../http/openapi.ts";
import { sendProblem } from "../http/problem.ts";
import type { RouteOptions } from "../http/route.ts";

export function healthRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    try {
      const current = await migrationsAreCurrent(core.deps.db.kysely as never);
      if (!current) return sendProblem(reply, "NOT_READY", "migrations are pending");
      return { status: "ready" };
    } catch {
      return sendProblem(reply, "NOT_READY", "the database is not reachable");
    }
  });
  let doc: unknown;
  app.get("/api/openapi.json", async () => {
    doc ??= buildOpenApi(options.registry, "1.0.0");
    return doc;
  });
  app.get("/api/docs", async (_request, reply) => reply.type("text/html; charset=utf-8").send(docsPage()));
  app.get("/api/docs.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").send(docsScript),
  );
}
