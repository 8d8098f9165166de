/** Helpers of the SCIM suites: raw SCIM requests with a bearer token, and a provisioning token. */
import type { TestApp, TestTenant } from "./harness.ts";
import { createRole } from "./lifecycle-fixtures.ts";

export interface ScimAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: SCIM answers are read field by field in tests.
  readonly body: any;
}

export const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export function scimClient(t: TestApp, token: string | null) {
  return async function scim(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimAnswer> {
    const res = await t.app.inject({
      method,
      url: `/scim/v2${path}`,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/scim+json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : null };
  };
}

/** An API token of `tenant` whose role holds exactly `permissions` (default: the whole Administrator role). */
export async function provisioningToken(tenant: TestTenant, roleId: string): Promise<string> {
  const created = await tenant.admin.apiTokens.create({
    name: `IdP ${Math.random().toString(36).slice(2, 8)}`,
    roleId,
  });
  return created.token;
}

export async function roleWith(tenant: TestTenant, permissions: string[]): Promise<string> {
  return createRole(tenant, permissions);
}

let n = 0;
/** A minimal SCIM User body with unique names. */
export function scimUser(extra: Record<string, unknown> = {}): Record<string, unknown> {
  n += 1;
  return {
    schemas: [USER],
    userName: `scim.user${n}`,
    name: { givenName: "Sam", familyName: `Scim${n}` },
    emails: [{ value: `scim.user${n}@idp.example`, type: "work", primary: true }],
    ...extra,
  };
}
