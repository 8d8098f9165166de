/** Emergency (break-glass) access: open with a reason and your password, list, end, review. */
import type { EmergencyAccess, OpenEmergencyAccessBody } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";
import type { Page } from "./workspaces.ts";

export function emergencyAccessApi(t: Transport) {
  return {
    open: (body: OpenEmergencyAccessBody) =>
      t.request<{ id: string; expiresAt: string }>("POST", "/api/v1/emergency-access", { body }),
    list: (query: { limit?: number; cursor?: string; status?: "open" | "ended"; reviewed?: boolean } = {}) =>
      t.request<Page<EmergencyAccess>>("GET", "/api/v1/emergency-access", { query }),
    end: (id: string) => t.request<EmergencyAccess>("POST", `/api/v1/emergency-access/${enc(id)}/end`),
    review: (id: string, note: string) =>
      t.request<EmergencyAccess>("POST", `/api/v1/emergency-access/${enc(id)}/review`, { body: { note } }),
  };
}
