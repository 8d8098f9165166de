/** Seeds a synthetic tenant for benchmarks straight into the database (fast, batched). */
import { randomBytes } from "node:crypto";
import type { StaffgateApp } from "../packages/server/src/app.ts";

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Donald",
  "Frances",
  "John",
  "Margaret",
  "Niklaus",
  "Radia",
  "Ken",
  "Leslie",
  "Tony",
  "Lynn",
  "Dennis",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "McCarthy",
  "Hamilton",
  "Wirth",
  "Perlman",
  "Thompson",
  "Lamport",
  "Hoare",
  "Conway",
  "Ritchie",
];
const WORK_ROLES = [
  "Radiation Oncologist",
  "Medical Physicist",
  "Dosimetrist",
  "Radiation Therapist",
  "Nurse",
  "Administrative",
];

export interface SeededTenant {
  readonly tenantId: string;
  readonly slug: string;
  readonly roleIds: string[];
  readonly workspaceIds: string[];
}

/** Adds `users` users (10% inactive, 2% virtual, 3% archived) to a tenant created through the API. */
export async function seedUsers(app: StaffgateApp, tenantId: string, users: number): Promise<void> {
  const db = app.core.deps.db.kysely;
  const roles = await db.selectFrom("roles").select("id").where("tenant_id", "=", tenantId).execute();
  const workspaces = await db
    .selectFrom("workspaces")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .execute();
  const now = new Date().toISOString();
  const batch = app.core.deps.db.dialect === "postgres" ? 1000 : 500;
  for (let start = 0; start < users; start += batch) {
    const rows = [];
    const access = [];
    for (let i = start; i < Math.min(users, start + batch); i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = `${LAST[(i * 7) % LAST.length]}${i}`;
      const username = `${first.toLowerCase()}.${last.toLowerCase()}`;
      const email = `${username}@bench.example`;
      const status = i % 33 === 0 ? "archived" : i % 10 === 0 ? "inactive" : "active";
      const id = `usr_${randomBytes(16).toString("base64url")}`;
      const allWorkspaces = i % 4 !== 0;
      rows.push({
        tenant_id: tenantId,
        id,
        username,
        username_key: username,
        email,
        email_key: email,
        first_name: first,
        last_name: last,
        initials: `${first[0]}${last[0]}`,
        display_name: `${first} ${last}`,
        sort_name: `${last} ${first}`.toLowerCase(),
        search_text: `${first} ${last} ${username} ${email} emp${i}`.toLowerCase(),
        phone: "",
        work_role: WORK_ROLES[i % WORK_ROLES.length]!,
        professional_id: null,
        prescriber_id: null,
        qualifications: null,
        areas_of_expertise: null,
        employee_number: `emp${i}`,
        title: null,
        role_id: roles[i % roles.length]!.id,
        workspace_access_all: allWorkspaces ? (1 as const) : (0 as const),
        virtual: i % 50 === 0 ? (1 as const) : (0 as const),
        expires_at: null,
        status: status as "active",
        archived_from: status === "archived" ? "active" : null,
        locked: i % 97 === 0 ? (1 as const) : (0 as const),
        locked_until: null,
        failed_attempts: 0,
        must_change_password: 0 as const,
        mfa_enrolled: 0 as const,
        password_hash: null,
        last_login_at: i % 3 === 0 ? null : new Date(Date.parse(now) - (i % 365) * 86_400_000).toISOString(),
        created_at: now,
        created_by: null,
        updated_at: now,
        version: 1,
      });
      if (!allWorkspaces && workspaces.length > 0) {
        access.push({
          tenant_id: tenantId,
          user_id: id,
          workspace_id: workspaces[i % workspaces.length]!.id,
        });
      }
    }
    await db.insertInto("users").values(rows).execute();
    if (access.length > 0) await db.insertInto("user_workspaces").values(access).execute();
  }
}
