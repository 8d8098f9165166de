/**
 * SCIM 2.0 at `/scim/v2` (and the same under `/api/v1/scim/v2`): Users and Groups for identity
 * providers, with a tenant's API token as the bearer (its role decides what it may do), plus the
 * discovery resources, which hold no tenant data and need no token (RFC 7644 §4).
 */
import {
  ScimBody,
  ScimDiscoveryQuery,
  ScimListQuery,
  ScimProjectionQuery,
  ScimResourceParams,
  ScimSearchBody,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import {
  AppError,
  GROUP_SCHEMA,
  projectScim,
  resourceTypes,
  SCHEMAS,
  schemaResource,
  serviceProviderConfig,
  USER_SCHEMA,
} from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { anyOf, type RouteOptions, route } from "../http/route.ts";
import { SCIM_BASES, SCIM_MEDIA_TYPE, sendScim } from "../http/scim.ts";

const produces = { [SCIM_MEDIA_TYPE]: "a SCIM resource or ListResponse (RFC 7643/7644)" };
const filterRefused = { 403: "A filter on a discovery resource (RFC 7644 §4: they cannot be filtered)" };
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/** What a write answers when a userName, email or group name is taken (RFC 7644 §3.3). */
const UNIQUENESS = "scimType uniqueness: the userName, email or group name is taken";

/** RFC 7644 §4: a filter on a discovery resource is refused, so that a client never takes it as applied. */
function refuseFilter(query: { filter?: string | undefined }): void {
  if (query.filter !== undefined)
    throw new AppError("FORBIDDEN", "The discovery resources cannot be filtered (RFC 7644 §4)");
}

/** `.search` bodies carry the list parameters as JSON; lists of attributes become the comma form. */
function searchQuery(body: z.infer<typeof ScimSearchBody>) {
  const joined = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(",") : v);
  return {
    filter: body.filter,
    startIndex: body.startIndex,
    count: body.count,
    attributes: joined(body.attributes),
    excludedAttributes: joined(body.excludedAttributes),
  };
}

export function scimRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const base = `${core.deps.publicUrl}/scim/v2`;
  const docs = `${core.deps.publicUrl}/api/docs`;
  const tags = ["scim"];

  for (const prefix of SCIM_BASES) {
    route(app, options, {
      method: "GET",
      url: `${prefix}/ServiceProviderConfig`,
      summary:
        "What this SCIM service provider supports (PATCH, filters up to 200 results, ETags; no bulk, no sort)",
      tags,
      auth: "public",
      query: ScimDiscoveryQuery,
      otherResponses: filterRefused,
      response: null,
      raw: true,
      produces,
      handler: ({ query, reply }) => {
        refuseFilter(query);
        void sendScim(reply, 200, serviceProviderConfig(base, docs));
      },
    });

    route(app, options, {
      method: "GET",
      url: `${prefix}/ResourceTypes`,
      summary: "The SCIM resource types: User and Group",
      tags,
      auth: "public",
      query: ScimDiscoveryQuery,
      otherResponses: filterRefused,
      response: null,
      raw: true,
      produces,
      handler: ({ query, reply }) => {
        refuseFilter(query);
        const items = resourceTypes(base);
        void sendScim(reply, 200, {
          schemas: [LIST],
          totalResults: items.length,
          startIndex: 1,
          itemsPerPage: items.length,
          Resources: items,
        });
      },
    });

    route(app, options, {
      method: "GET",
      url: `${prefix}/ResourceTypes/:id`,
      summary: "One SCIM resource type",
      tags,
      auth: "public",
      query: ScimDiscoveryQuery,
      otherResponses: filterRefused,
      params: ScimResourceParams,
      response: null,
      raw: true,
      produces,
      handler: ({ params, query, reply }) => {
        refuseFilter(query);
        const found = resourceTypes(base).find((t) => t.id === params.id);
        if (!found) throw new AppError("NOT_FOUND", `No resource type ${params.id}`);
        void sendScim(reply, 200, found);
      },
    });

    route(app, options, {
      method: "GET",
      url: `${prefix}/Schemas`,
      summary: "The SCIM schemas served: User, the enterprise User extension, Group",
      tags,
      auth: "public",
      query: ScimDiscoveryQuery,
      otherResponses: filterRefused,
      response: null,
      raw: true,
      produces,
      handler: ({ query, reply }) => {
        refuseFilter(query);
        const items = SCHEMAS.map((s) => schemaResource(s, base));
        void sendScim(reply, 200, {
          schemas: [LIST],
          totalResults: items.length,
          startIndex: 1,
          itemsPerPage: items.length,
          Resources: items,
        });
      },
    });

    route(app, options, {
      method: "GET",
      url: `${prefix}/Schemas/:id`,
      summary: "One SCIM schema, by its URN",
      tags,
      auth: "public",
      query: ScimDiscoveryQuery,
      otherResponses: filterRefused,
      params: ScimResourceParams,
      response: null,
      raw: true,
      produces,
      handler: ({ params, query, reply }) => {
        refuseFilter(query);
        const found = SCHEMAS.find((s) => s.id === params.id);
        if (!found) throw new AppError("NOT_FOUND", `No schema ${params.id}`);
        void sendScim(reply, 200, schemaResource(found, base));
      },
    });

    // RFC 7644 §3.11 and §3.12: a provider without /Me (or, as ServiceProviderConfig says, without
    // bulk) answers 501, so a client can tell "not supported" from "no such resource".
    const unsupported = [
      ...(["GET", "POST", "PUT", "PATCH", "DELETE"] as const).map((m) => [m, "Me", "/Me"] as const),
      ["POST", "Bulk", "bulk operations"] as const,
      // §3.4.3: a search at the root spans every resource type; /Users/.search and /Groups/.search work.
      ["POST", ".search", "a search across resource types (search /Users or /Groups)"] as const,
    ];
    for (const [method, path, what] of unsupported) {
      route(app, options, {
        method,
        url: `${prefix}/${path}`,
        summary: `Not supported: ${what} (501)`,
        tags,
        auth: "public",
        status: 501,
        // Any body a client sends is taken, so that the answer is about the feature, not the body.
        ...(method === "GET" || method === "DELETE" ? {} : { body: ScimBody }),
        response: null,
        raw: true,
        produces,
        handler: () => {
          throw new AppError("SCIM_NOT_SUPPORTED", `This service provider does not support ${what}`);
        },
      });
    }

    for (const kind of ["Users", "Groups"] as const) {
      const service = kind === "Users" ? core.scimUsers : core.scimGroups;
      const what = kind === "Users" ? "users (not archived, not virtual)" : "groups (the tenant's roles)";
      // Groups' writes need roles.manage or users.manage depending on what the body changes (the
      // use case decides); a caller with neither can never succeed, and is refused before its body.
      const write = kind === "Users" ? "users.manage" : anyOf("roles.manage", "users.manage");
      const coreSchema = kind === "Users" ? USER_SCHEMA : GROUP_SCHEMA;
      /** A write's answer, projected as its query asks; its headers from the whole resource (as a read's). */
      const sendWritten = (
        reply: Parameters<typeof sendScim>[0],
        status: number,
        resource: Record<string, unknown>,
        query: z.infer<typeof ScimProjectionQuery>,
      ) => sendScim(reply, status, resource, undefined, projectScim(resource, query, coreSchema));

      route(app, options, {
        method: "GET",
        url: `${prefix}/${kind}`,
        summary: `List ${what}: filter, startIndex, count, attributes, excludedAttributes`,
        tags,
        auth: "tenant",
        permission: "users.view",
        query: ScimListQuery,
        response: null,
        raw: true,
        produces,
        handler: async ({ ctx, query, reply }) =>
          void sendScim(reply, 200, { ...(await service.list(ctx, query)) }),
      });

      route(app, options, {
        method: "POST",
        url: `${prefix}/${kind}/.search`,
        summary: `Search ${what} with the list parameters in the body (RFC 7644 §3.4.3)`,
        tags,
        auth: "tenant",
        permission: "users.view",
        body: ScimSearchBody,
        response: null,
        raw: true,
        produces,
        handler: async ({ ctx, body, reply }) =>
          void sendScim(reply, 200, { ...(await service.list(ctx, searchQuery(body))) }),
      });

      route(app, options, {
        method: "GET",
        url: `${prefix}/${kind}/:id`,
        summary: `Get one of the ${what}`,
        tags,
        auth: "tenant",
        permission: "users.view",
        params: ScimResourceParams,
        query: ScimListQuery,
        response: null,
        raw: true,
        produces,
        otherResponses: { 304: "Not modified: If-None-Match names the current version (RFC 7644 §3.14)" },
        handler: async ({ ctx, params, query, request, reply }) => {
          const resource = await service.get(ctx, params.id, query);
          const shown = projectScim(resource, query, coreSchema);
          void sendScim(reply, 200, resource, request.headers["if-none-match"], shown);
        },
      });

      route(app, options, {
        method: "POST",
        url: `${prefix}/${kind}`,
        summary:
          kind === "Users"
            ? "Provision a user: with a password it is active, without one it is invited; it holds the group it names or the tenant's default role for provisioned users"
            : "Create a group: a role with no permissions (roles.manage), with its members moved into it (users.manage)",
        tags,
        auth: "tenant",
        permission: write,
        query: ScimProjectionQuery,
        body: ScimBody,
        status: 201,
        response: null,
        raw: true,
        produces,
        otherResponses: { 409: UNIQUENESS },
        handler: async ({ ctx, caller, query, body, reply }) =>
          void sendWritten(reply, 201, await service.create(ctx, caller, body), query),
      });

      const changes = [
        ["PUT", "Replace", "(attributes left out are cleared; read-only ones are ignored)", service.replace],
        ["PATCH", "Change", "with a PatchOp (add, replace, remove; paths with value filters)", service.patch],
      ] as const;
      for (const [method, verb, how, change] of changes) {
        route(app, options, {
          method,
          ifMatch: true,
          url: `${prefix}/${kind}/:id`,
          summary: `${verb} one of the ${what} ${how}`,
          tags,
          auth: "tenant",
          permission: write,
          params: ScimResourceParams,
          query: ScimProjectionQuery,
          body: ScimBody,
          response: null,
          raw: true,
          produces,
          otherResponses: { 409: UNIQUENESS },
          handler: async ({ ctx, caller, params, query, body, ifMatch, reply }) =>
            void sendWritten(reply, 200, await change(ctx, caller, params.id, body, ifMatch), query),
        });
      }

      route(app, options, {
        method: "DELETE",
        ifMatch: true,
        url: `${prefix}/${kind}/:id`,
        summary:
          kind === "Users"
            ? "Deprovision a user: it is archived (sessions and tokens end; its history and name stay) and answers 404 from then on"
            : "Delete a group: the role is deleted (409 while anyone holds it)",
        tags,
        auth: "tenant",
        permission: kind === "Users" ? "users.manage" : "roles.manage",
        params: ScimResourceParams,
        response: null,
        ...(kind === "Groups" ? { otherResponses: { 409: "ROLE_IN_USE: someone holds the role" } } : {}),
        // SCIM's protocol has no Idempotency-Key, and its errors no 422 (docs/decisions.md).
        idempotencyKey: false,
        handler: async ({ ctx, caller, params, ifMatch }) => {
          await service.remove(ctx, caller, params.id, ifMatch);
        },
      });
    }
  }
}
