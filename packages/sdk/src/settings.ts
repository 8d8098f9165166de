/** The tenant security policy: GET and PATCH /api/v1/settings (`settings.manage` to change). */
import type {
  Settings,
  TenantProfile,
  UpdateSettingsBody,
  UpdateTenantProfileBody,
} from "@staffgate/contract";
import type { Transport } from "./http.ts";

export function settingsApi(t: Transport) {
  return {
    get: () => t.request<Settings>("GET", "/api/v1/settings"),
    update: (body: UpdateSettingsBody, options: { ifMatch?: number } = {}) =>
      t.request<Settings>("PATCH", "/api/v1/settings", { body, ...options }),
  };
}

/** The practice's profile: GET and PATCH /api/v1/tenant (`settings.manage` to change). */
export function tenantProfileApi(t: Transport) {
  return {
    get: () => t.request<TenantProfile>("GET", "/api/v1/tenant"),
    update: (body: UpdateTenantProfileBody, options: { ifMatch?: number } = {}) =>
      t.request<TenantProfile>("PATCH", "/api/v1/tenant", { body, ...options }),
  };
}
