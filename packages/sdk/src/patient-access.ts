/** Patient access grants: who may see a patient beyond their role (patient references only). */
import type { GrantPatientAccessBody, PatientCreatedBody, PatientGrant } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";
import type { Page } from "./workspaces.ts";

const base = (patientRef: string) => `/api/v1/patients/${enc(patientRef)}`;

export function patientAccessApi(t: Transport) {
  return {
    /** Live grants on the patient (add `includeExpired: true` for expired ones too). */
    list: (patientRef: string, query: { limit?: number; cursor?: string; includeExpired?: boolean } = {}) =>
      t.request<Page<PatientGrant>>("GET", `${base(patientRef)}/access`, { query }),
    /** Grants access; the same user, patient and workspace again refreshes reason and expiry. */
    grant: (patientRef: string, body: GrantPatientAccessBody) =>
      t.request<PatientGrant>("POST", `${base(patientRef)}/access`, { body }),
    /** Removes the user's grants on the patient, or only the one for `workspaceId`. */
    revoke: (patientRef: string, userId: string, options: { workspaceId?: string; ifMatch?: number } = {}) =>
      t.request<void>("DELETE", `${base(patientRef)}/access/${enc(userId)}`, {
        query: { workspaceId: options.workspaceId },
        ifMatch: options.ifMatch,
      }),
    /** Reports that the user created or uploaded the patient, which grants the user access. */
    created: (patientRef: string, body: PatientCreatedBody) =>
      t.request<PatientGrant>("POST", `${base(patientRef)}/created`, { body }),
  };
}
