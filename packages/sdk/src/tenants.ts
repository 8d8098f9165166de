/** The operator's tenant API and the permission catalogue. */
import type { CreateTenantBody, Permission, Tenant, WorkRole } from "@staffgate/contract";
import type { Transport } from "./http.ts";
import type { Page } from "./workspaces.ts";

type CreateTenantInput = Omit<CreateTenantBody, "timeZone"> & { timeZone?: string };

export function tenantsApi(t: Transport) {
  return {
    create: (body: CreateTenantInput) => t.request<Tenant>("POST", "/api/v1/tenants", { body }),
    list: (query: { limit?: number; cursor?: string } = {}) =>
      t.request<Page<Tenant>>("GET", "/api/v1/tenants", { query }),
  };
}

export function permissionsApi(t: Transport) {
  return {
    list: () =>
      t.request<{ catalog: { name: string; version: string }; items: Permission[]; workRoles: WorkRole[] }>(
        "GET",
        "/api/v1/permissions",
      ),
  };
}
