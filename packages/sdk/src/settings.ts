/** The tenant security policy: GET and PATCH /api/v1/settings (`settings.manage` to change). */
import type { Settings, UpdateSettingsBody } from "@staffgate/contract";
import type { Transport } from "./http.ts";

export function settingsApi(t: Transport) {
  return {
    get: () => t.request<Settings>("GET", "/api/v1/settings"),
    update: (body: UpdateSettingsBody, options: { ifMatch?: number } = {}) =>
      t.request<Settings>("PATCH", "/api/v1/settings", { body, ...options }),
  };
}
