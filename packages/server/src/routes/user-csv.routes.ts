/** /api/v1/users/import and /api/v1/users/export: users as CSV (PRODUCT.md §7). */
import { Readable } from "node:stream";
import { ExportUsersQuery, ImportUsersBody, ImportUsersResponse } from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { logRefusal } from "../http/problem.ts";
import { type RouteOptions, route } from "../http/route.ts";

const CSV = "text/csv; charset=utf-8";

export function userCsvRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["users"];

  route(app, options, {
    method: "POST",
    url: "/api/v1/users/import",
    rate: "bulk",
    summary:
      "Import users from CSV: a row whose email matches a user updates it (blank cells keep values), any other creates an invited user; all or nothing (422 USER_IMPORT_INVALID with every row's errors); dryRun reports without writing",
    tags,
    auth: "tenant",
    permission: "users.manage",
    body: ImportUsersBody,
    // A report, dry run or not: no one resource is created at a Location.
    status: 200,
    response: ImportUsersResponse,
    // A row refused for what the importer may not do is a refused request's record and log line
    // (http/problem.ts), though the import answers with a report.
    handler: ({ ctx, caller, body, request }) =>
      core.userCsv.importUsers(ctx, caller, body, async (refusals) => {
        for (const code of new Set(refusals.map((r) => r.code))) logRefusal(request, code);
        await core.audit
          .recordDenied(ctx, {
            code: refusals[0]!.code,
            method: request.method,
            route: request.routeOptions.url ?? "/api/v1/users/import",
            rows: refusals,
          })
          .catch((failure: unknown) =>
            request.log.error({ err: failure, event: "authz_fail_unrecorded" }, "refusal not audited"),
          );
      }),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/users/export",
    rate: "bulk",
    summary:
      "Export the matching users as CSV (the list's filters; streamed; audited); it imports back as is",
    tags,
    auth: "tenant",
    permission: "users.view",
    query: ExportUsersQuery,
    status: 200,
    response: null,
    raw: true,
    produces: { [CSV]: "a header row, then one user per row" },
    handler: async ({ ctx, query, reply }) => {
      // Awaited before any header: the users.exported event is committed (or the export refused) first.
      const lines = await core.userCsv.exportUsers(ctx, query);
      const stamp = core.deps.clock.now().toISOString().slice(0, 10);
      reply
        .code(200)
        .header("content-type", CSV)
        .header("content-disposition", `attachment; filename="users-${stamp}.csv"`);
      reply.send(Readable.from(lines));
    },
  });
}
