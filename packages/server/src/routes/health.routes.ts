/**
 * Liveness, readiness, the OpenAPI document and its docs page: public, and declared with route()
 * like every other endpoint so that the OpenAPI document lists them too.
 */
import { statSync } from "node:fs";
import { HealthResponse, ReadyResponse } from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import { AppError, migrationsAreCurrent } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { buildOpenApi, DOCS_CSP, docsPage, docsScript } from "../http/openapi.ts";
import { type RouteOptions, route } from "../http/route.ts";

/**
 * SQLite: whether the file at the path is still the one the server opened. Deleted or replaced
 * under a running server, the connection keeps writing to the old inode, and every write since is
 * gone at the next restart; a stat is cheap enough for every probe.
 */
function sqliteFileCheck(file: string | undefined): () => boolean {
  if (file === undefined) return () => true;
  const opened = statSync(file, { bigint: true });
  return () => {
    const now = statSync(file, { bigint: true, throwIfNoEntry: false });
    return now !== undefined && now.dev === opened.dev && now.ino === opened.ino;
  };
}

export function healthRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["operations"];
  const sameSqliteFile = sqliteFileCheck(core.deps.db.file);
  route(app, options, {
    method: "GET",
    url: "/healthz",
    summary: "Liveness: the process answers",
    tags,
    auth: "public",
    response: HealthResponse,
    handler: () => ({ status: "ok" as const }),
  });
  route(app, options, {
    method: "GET",
    url: "/readyz",
    summary:
      "Readiness: the database is reachable and migrated, and a SQLite file is still at its path (else 503 NOT_READY)",
    tags,
    auth: "public",
    response: ReadyResponse,
    handler: async () => {
      if (!sameSqliteFile()) {
        throw new AppError("NOT_READY", "the database file was deleted or replaced since it was opened");
      }
      let current: boolean;
      try {
        current = await migrationsAreCurrent(core.deps.db.kysely as never);
      } catch {
        throw new AppError("NOT_READY", "the database is not reachable");
      }
      if (!current) throw new AppError("NOT_READY", "migrations are pending");
      return { status: "ready" as const };
    },
  });
  let doc: unknown;
  route(app, options, {
    method: "GET",
    url: "/api/openapi.json",
    summary: "This OpenAPI 3.1 document",
    tags,
    auth: "public",
    status: 200,
    response: null,
    raw: true,
    produces: { "application/json": "The OpenAPI 3.1 document" },
    handler: ({ reply }) => {
      // Built on first use, once every route (this one included) is registered.
      doc ??= buildOpenApi(options.registry, "1.0.0");
      reply.send(doc);
    },
  });
  route(app, options, {
    method: "GET",
    url: "/api/docs",
    summary: "A docs page rendered from the OpenAPI document",
    tags,
    auth: "public",
    status: 200,
    response: null,
    raw: true,
    produces: { "text/html; charset=utf-8": "The docs page" },
    handler: ({ reply }) => {
      reply.header("content-security-policy", DOCS_CSP).type("text/html; charset=utf-8").send(docsPage());
    },
  });
  route(app, options, {
    method: "GET",
    url: "/api/docs.js",
    summary: "The docs page's script",
    tags,
    auth: "public",
    status: 200,
    response: null,
    raw: true,
    produces: { "text/javascript; charset=utf-8": "The docs page's script" },
    handler: ({ reply }) => {
      reply.type("text/javascript; charset=utf-8").send(docsScript);
    },
  });
}
