/** /api/v1/patients/{patientRef}/access and /created: patient access grants (patient references only). */
import {
  GrantPatientAccessBody,
  ListPatientAccessQuery,
  NewPatientRefParams,
  PatientAccessUserParams,
  PatientCreatedBody,
  PatientGrantSchema,
  PatientRefParams,
  page,
  RevokePatientAccessQuery,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function patientAccessRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["patient access"];

  route(app, options, {
    method: "GET",
    url: "/api/v1/patients/:patientRef/access",
    summary:
      "List who has access to a patient (live grants, each with its holder's userStatus: a user who is not active has no access through it; includeExpired=true adds expired ones)",
    tags,
    auth: "tenant",
    permission: "patient_access.manage",
    params: PatientRefParams,
    query: ListPatientAccessQuery,
    response: page(PatientGrantSchema),
    handler: ({ ctx, params, query }) => core.patientAccess.listAccess(ctx, params.patientRef, query),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/patients/:patientRef/access",
    summary:
      "Grant a user access to a patient, optionally in one workspace; granting the same user, patient and workspace again refreshes reason and expiry",
    tags,
    auth: "tenant",
    permission: "patient_access.manage",
    params: NewPatientRefParams,
    body: GrantPatientAccessBody,
    response: PatientGrantSchema,
    etag: (grant) => grant.version,
    handler: ({ caller, ctx, params, body }) =>
      core.patientAccess.grantAccess(caller, ctx, params.patientRef, body),
  });

  route(app, options, {
    method: "DELETE",
    ifMatch: true,
    url: "/api/v1/patients/:patientRef/access/:userId",
    summary: "Revoke a user's access to a patient (every grant, or only the one for ?workspaceId=)",
    tags,
    auth: "tenant",
    permission: "patient_access.manage",
    params: PatientAccessUserParams,
    query: RevokePatientAccessQuery,
    response: null,
    handler: async ({ ctx, params, query, ifMatch }) => {
      await core.patientAccess.revokeAccess(
        ctx,
        params.patientRef,
        params.userId,
        query.workspaceId,
        ifMatch,
      );
    },
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/patients/:patientRef/created",
    summary:
      "The application reports that a user created or uploaded the patient: the user gets access; believed only of an active user who may create patients there (patients.write, and patients.phi where the catalogue has it): 422 PATIENT_CREATOR_NOT_PERMITTED, 409 USER_STATE_INVALID",
    tags,
    auth: "tenant",
    // Meant for the clinical application's API token, whatever its role: the application reports
    // what happened. A person reporting it must be able to grant access anyway.
    permission: {
      needs: "an API token or the patient_access.manage permission",
      allows: (caller) => caller.kind === "api_token" || caller.permissions.has("patient_access.manage"),
    },
    params: NewPatientRefParams,
    body: PatientCreatedBody,
    response: PatientGrantSchema,
    etag: (grant) => grant.version,
    handler: ({ caller, ctx, params, body }) =>
      core.patientAccess.patientCreated(caller, ctx, params.patientRef, body),
  });
}
