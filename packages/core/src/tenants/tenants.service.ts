/** Creating tenants (operator API, CLI, first start-up) with their preset roles and first administrator. */

import { randomBytes } from "node:crypto";
import type { CreateTenantBody, Tenant } from "@staffgate/contract";
import { appendAudit, snapshotChanges } from "../audit/audit-writer.ts";
import { refuseBreached } from "../auth/breached-passwords.ts";
import { contextWith } from "../auth/password-context.ts";
import { checkPassword, passwordInvalid } from "../auth/password-policy.rules.ts";
import { ADMINISTRATOR_NAME, rolePermissionKeys } from "../catalog/catalog.rules.ts";
import type { TenantsTable } from "../db/schema.ts";
import {
  type Actor,
  type Ctx,
  noRequest,
  operatorActor,
  type RequestMeta,
  systemActor,
} from "../shared/context.ts";
import { decodeCursor, encodeCursor, invalidCursor } from "../shared/cursor.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { flag, toJson } from "../shared/json.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTx, type Trx } from "../shared/tx.ts";
import { AUDITED_USER_FIELDS } from "../users/user-input.ts";
import { createUserStore } from "../users/users.store.ts";
import { newUserRow } from "../users/users.table.ts";
import { DEFAULT_SETTINGS } from "./settings.rules.ts";
import { createTenantStore } from "./tenants.store.ts";

export function toTenant(row: TenantsTable): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    timeZone: row.time_zone,
    catalog: row.catalog,
    createdAt: row.created_at,
  };
}

export interface CreatedTenant {
  readonly tenant: Tenant;
  readonly adminUserId: string;
}

export function createTenantsService(deps: Deps) {
  async function createTenantIn(
    trx: Trx,
    actor: Actor,
    meta: RequestMeta,
    input: CreateTenantBody,
    options: { mustChangePassword: boolean },
  ): Promise<CreatedTenant> {
    const catalogName = input.catalogPreset ?? deps.catalogs.defaultName;
    const catalog = deps.catalogs.get(catalogName);
    if (!catalog) {
      throw invalid("catalogPreset", `unknown catalogue; known: ${deps.catalogs.names().join(", ")}`);
    }
    const rejection = checkPassword(input.admin.password, {
      context: contextWith(
        { slug: input.slug, name: input.name },
        {
          username: input.admin.username,
          email: input.admin.email,
          firstName: input.admin.firstName,
          lastName: input.admin.lastName,
        },
        [...catalog.roles.map((r) => r.name), ...catalog.workRoles.map((w) => w.name)],
      ),
    });
    if (rejection) throw passwordInvalid("admin.password", rejection);
    // A password Staffgate generated (shown once, to be changed) is random: never looked up.
    if (!options.mustChangePassword) {
      await refuseBreached(deps.breachedPasswords, "admin.password", input.admin.password);
    }
    const now = deps.clock.now().toISOString();
    const tenantId = deps.ids.next("ten");
    const row: TenantsTable = {
      id: tenantId,
      slug: input.slug,
      slug_key: foldKey(input.slug),
      name: input.name,
      time_zone: input.timeZone,
      catalog: catalog.name,
      work_roles: toJson(catalog.workRoles),
      settings: toJson(DEFAULT_SETTINGS),
      policy_version: 1,
      created_at: now,
      updated_at: now,
      version: 1,
    };
    try {
      await createTenantStore(trx).insertTenant(row);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError("TENANT_SLUG_TAKEN", `tenant "${input.slug}" already exists`, {
          errors: [{ path: "slug", message: "is already used by another tenant" }],
        });
      throw error;
    }
    const ctx: Ctx = { ...meta, tenantId, actor };
    await appendAudit(deps, trx, ctx, {
      action: "tenant.created",
      target: { type: "tenant", id: tenantId, label: input.slug },
      changes: { slug: { after: input.slug }, name: { after: input.name }, catalog: { after: catalog.name } },
    });
    let adminRoleId: string | null = null;
    for (const role of catalog.roles) {
      const id = deps.ids.next("rol");
      if (role.permissions === "*" && adminRoleId === null) adminRoleId = id;
      await trx
        .insertInto("roles")
        .values({
          tenant_id: tenantId,
          id,
          name: role.name,
          name_key: foldKey(role.name),
          description: role.description,
          system: 1,
          locked: flag(role.locked),
          private_user_id: null,
          collaborator: flag(role.collaborator),
          permissions: toJson(rolePermissionKeys(catalog, role)),
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .execute();
    }
    if (adminRoleId === null) {
      adminRoleId = deps.ids.next("rol");
      await trx
        .insertInto("roles")
        .values({
          tenant_id: tenantId,
          id: adminRoleId,
          name: ADMINISTRATOR_NAME,
          name_key: foldKey(ADMINISTRATOR_NAME),
          description: "Every permission. Locked.",
          system: 1,
          locked: 1,
          private_user_id: null,
          collaborator: 0,
          permissions: toJson(catalog.permissions.map((p) => p.key)),
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .execute();
    }
    const adminId = deps.ids.next("usr");
    const a = input.admin;
    const users = createUserStore(trx, tenantId);
    const adminRow = newUserRow({
      id: adminId,
      username: a.username,
      email: a.email,
      firstName: a.firstName,
      lastName: a.lastName,
      roleId: adminRoleId,
      status: "active",
      mustChangePassword: options.mustChangePassword,
      passwordHash: await deps.hasher.hash(a.password),
      createdAt: now,
      createdBy: null,
    });
    await users.insertUser(adminRow);
    // Recorded with every field, as any other user's creation is (users-create.ts).
    const [created] = await users.toUsers([{ ...adminRow, tenant_id: tenantId }], now);
    await appendAudit(deps, trx, ctx, {
      action: "user.created",
      target: { type: "user", id: adminId, label: a.username },
      changes: snapshotChanges(created!, "after", AUDITED_USER_FIELDS),
    });
    return { tenant: toTenant(row), adminUserId: adminId };
  }

  return {
    /** `mustChangePassword`: for a generated password that was shown once (the CLI). */
    createTenant(
      meta: RequestMeta,
      input: CreateTenantBody,
      options: { mustChangePassword: boolean } = { mustChangePassword: false },
    ): Promise<CreatedTenant> {
      return inTx(deps, (trx) => createTenantIn(trx, operatorActor, meta, input, options));
    },

    /** Tenants by id; the cursor is opaque like every list's, and a malformed one is 400 INVALID_CURSOR. */
    async listTenants(
      limit: number,
      cursor: string | null,
    ): Promise<{ items: Tenant[]; nextCursor: string | null }> {
      const after = cursor ? decodeCursor(cursor, 1)[0] : null;
      if (after !== null && typeof after !== "string") throw invalidCursor();
      const rows = await createTenantStore(deps.db.kysely).listTenants(limit + 1, after);
      const items = rows.slice(0, limit).map(toTenant);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null };
    },

    async findTenantBySlug(slug: string): Promise<Tenant | undefined> {
      const row = await createTenantStore(deps.db.kysely).findTenantBySlug(foldKey(slug));
      return row && toTenant(row);
    },

    /**
     * On an empty database: tenant `demo` and its administrator `admin`. Without a configured
     * password a random one is generated, returned once, and must be changed at first sign-in.
     */
    async bootstrapDemo(
      password?: string,
    ): Promise<{ created: boolean; password?: string; generated?: boolean }> {
      const store = createTenantStore(deps.db.kysely);
      if ((await store.countTenants()) > 0) return { created: false };
      const generated = password === undefined || password === "";
      const secret = generated ? randomBytes(15).toString("base64url") : password;
      try {
        await inTx(deps, (trx) =>
          createTenantIn(
            trx,
            systemActor,
            noRequest,
            {
              slug: "demo",
              name: "Demo Practice",
              timeZone: "UTC",
              admin: {
                username: "admin",
                email: "admin@demo.example",
                firstName: "Demo",
                lastName: "Administrator",
                password: secret,
              },
            },
            { mustChangePassword: generated },
          ),
        );
      } catch (error) {
        // Another instance bootstrapped first.
        if (error instanceof AppError && error.code === "TENANT_SLUG_TAKEN") return { created: false };
        throw error;
      }
      return { created: true, password: secret, generated };
    },
  };
}

export type TenantsService = ReturnType<typeof createTenantsService>;
