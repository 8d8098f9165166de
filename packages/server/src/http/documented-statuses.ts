/**
 * Tests only (buildApp's validateResponses): every answer a route gives must have its status among
 * the route's OpenAPI responses (API.md: the document "must describe all of it"). An answer whose
 * status the document leaves out is turned into a 500 naming the route and the status, so the
 * test that provoked it fails.
 */
import type { FastifyInstance } from "fastify";
import { buildOpenApi } from "./openapi.ts";
import type { RegisteredRoute } from "./route.ts";

export function installDocumentedStatusCheck(app: FastifyInstance, registry: readonly RegisteredRoute[]) {
  let documented: Map<string, ReadonlySet<string>> | undefined;
  // Built on first use, when every route is registered.
  const statusesOf = () => {
    if (documented) return documented;
    const doc = buildOpenApi(registry, "test") as {
      paths: Record<string, Record<string, { responses: object }>>;
    };
    documented = new Map();
    for (const [path, operations] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(operations))
        documented.set(`${method.toUpperCase()} ${path}`, new Set(Object.keys(op.responses)));
    return documented;
  };
  app.addHook("onSend", async (request, reply, payload) => {
    const url = request.routeOptions.url;
    // Unknown paths, the console's files, and crashes (a 500 is always possible).
    if (!url || reply.statusCode === 500) return payload;
    const statuses = statusesOf().get(`${request.method} ${url.replace(/:([A-Za-z]+)/g, "{$1}")}`);
    if (!statuses || statuses.has(String(reply.statusCode))) return payload;
    const detail = `${request.method} ${url} answered ${reply.statusCode}, which its OpenAPI responses do not list: ${String(payload).slice(0, 300)}`;
    request.log.error({ event: "undocumented_status", status: reply.statusCode, route: url }, detail);
    reply.code(500).type("application/problem+json; charset=utf-8");
    return JSON.stringify({
      type: "about:blank",
      title: "Undocumented status",
      status: 500,
      code: "UNDOCUMENTED_STATUS",
      detail,
    });
  });
}
