/** Every route module, registered in this order by buildApp(). */
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import type { RouteOptions } from "../http/route.ts";
import { accessRoutes } from "./access.routes.ts";
import { apiTokensRoutes } from "./api-tokens.routes.ts";
import { auditRoutes } from "./audit.routes.ts";
import { authRoutes } from "./auth.routes.ts";
import { credentialsRoutes } from "./credentials.routes.ts";
import { effectiveRoutes } from "./effective.routes.ts";
import { emergencyRoutes } from "./emergency.routes.ts";
import { healthRoutes } from "./health.routes.ts";
import { mfaRoutes } from "./mfa.routes.ts";
import { outboxRoutes } from "./outbox.routes.ts";
import { patientAccessRoutes } from "./patient-access.routes.ts";
import { permissionsRoutes } from "./permissions.routes.ts";
import { rolesRoutes } from "./roles.routes.ts";
import { scimRoutes } from "./scim.routes.ts";
import { settingsRoutes } from "./settings.routes.ts";
import { tenantProfileRoutes } from "./tenant-profile.routes.ts";
import { tenantsRoutes } from "./tenants.routes.ts";
import { userActionsRoutes } from "./user-actions.routes.ts";
import { userCsvRoutes } from "./user-csv.routes.ts";
import { usersRoutes } from "./users.routes.ts";
import { workspacesRoutes } from "./workspaces.routes.ts";

export type RouteModule = (app: FastifyInstance, core: Core, options: RouteOptions) => void;

export const ROUTE_MODULES: readonly RouteModule[] = [
  healthRoutes,
  authRoutes,
  credentialsRoutes,
  mfaRoutes,
  tenantsRoutes,
  permissionsRoutes,
  workspacesRoutes,
  rolesRoutes,
  auditRoutes,
  settingsRoutes,
  tenantProfileRoutes,
  outboxRoutes,
  usersRoutes,
  userCsvRoutes,
  userActionsRoutes,
  apiTokensRoutes,
  accessRoutes,
  effectiveRoutes,
  patientAccessRoutes,
  emergencyRoutes,
  scimRoutes,
];
