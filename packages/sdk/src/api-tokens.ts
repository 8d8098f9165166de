/** API tokens for integrations: each acts as a virtual integration user holding one role. */
import type { ApiToken, CreateApiTokenBody, CreatedApiToken } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";
import type { Page } from "./workspaces.ts";

export function apiTokensApi(t: Transport) {
  return {
    /** Newest first, revoked ones included; never the token itself. */
    list: (query: { limit?: number; cursor?: string } = {}) =>
      t.request<Page<ApiToken>>("GET", "/api/v1/api-tokens", { query }),
    /** The answer's `token` is shown this once and can never be read again: keep it. */
    create: (body: { name: string; roleId: string; expiresAt?: string | null }) =>
      t.request<CreatedApiToken>("POST", "/api/v1/api-tokens", { body: body satisfies CreateApiTokenBody }),
    /** One token; its `version` is the ETag `revoke` may send as If-Match. */
    get: (id: string) => t.request<ApiToken>("GET", `/api/v1/api-tokens/${enc(id)}`),
    /** Revokes the token (effective on its next request) and archives its integration user. */
    revoke: (id: string, options: { ifMatch?: number } = {}) =>
      t.request<void>("DELETE", `/api/v1/api-tokens/${enc(id)}`, options),
  };
}
