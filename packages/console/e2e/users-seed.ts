/**
 * Staff for the specs, made through the tenant administrator's SDK client: one Manager for the
 * sign-in and profile flows, and for the Users specs a radiotherapy department with two
 * workspaces and users in every state the filters tell apart.
 */
import { createHmac } from "node:crypto";
import type { Staffgate } from "@staffgate/sdk";
import type { E2e, E2eTenant } from "./harness.ts";

/** Every seeded user's password (never a real one). */
export const STAFF_PASSWORD = "Quartz-lantern-9035-ember";

export interface Seeded {
  /** A role's id by name. */
  readonly role: (name: string) => string;
  readonly workspaces: { readonly linac: string; readonly planning: string };
  /** A seeded user's id by username. */
  readonly user: (username: string) => string;
  /** The usernames the default (Active) list shows. */
  readonly active: readonly string[];
}

type CreateInput = Parameters<Staffgate["users"]["create"]>[0];

/** One user, with a password unless `invite`; the username is the first letter and last name. */
export async function staff(
  tenant: E2eTenant,
  first: string,
  last: string,
  fields: Partial<CreateInput> & { roleId: string; invite?: boolean },
): Promise<{ id: string; username: string; email: string }> {
  const { invite, ...rest } = fields;
  const username =
    rest.username ??
    `${first[0]}${last}`
      .normalize("NFD")
      .replace(/[^A-Za-z]/g, "")
      .toLowerCase();
  const email = `${username}@riverside-rt.example`;
  const user = await tenant.admin.users.create({
    firstName: first,
    lastName: last,
    username,
    email,
    ...(invite || rest.virtual ? {} : { password: STAFF_PASSWORD, mustChangePassword: false }),
    ...rest,
  });
  return { id: user.id, username, email };
}

/**
 * A staff member signing in as `username`: with `password` if given, else invited. Nora Quill, a
 * Manager, unless `as` names another person or role.
 */
export async function createStaff(
  tenant: E2eTenant,
  username: string,
  password?: string,
  as: { readonly firstName?: string; readonly lastName?: string; readonly roleId?: string } = {},
) {
  const manager = async () => {
    const roles = await tenant.admin.roles.list({ limit: 200 });
    return (roles.items.find((r) => r.name === "Manager") ?? roles.items[0])?.id ?? "";
  };
  return tenant.admin.users.create({
    firstName: as.firstName ?? "Nora",
    lastName: as.lastName ?? "Quill",
    username,
    email: `${username}@${tenant.slug}.example`,
    roleId: as.roleId ?? (await manager()),
    ...(password ? { password, mustChangePassword: false } : {}),
  });
}

/** Locks an account the way a person does: wrong passwords until the threshold (5 by default). */
export async function lockOut(e: E2e, tenant: E2eTenant, username: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await e.api.auth
      .login({ tenant: tenant.slug, login: username, password: "not-the-password" })
      .catch(() => {});
  }
}

/** Cal, an on-call clinician holding emergency_access.use, with an open elevation on PAT-2002. */
export async function openElevation(e: E2e, tenant: E2eTenant): Promise<void> {
  const onCall = await tenant.admin.roles.create({
    name: "On-call clinician",
    permissions: ["emergency_access.use"],
  });
  await staff(tenant, "Cal", "Clinician", { roleId: onCall.id, username: "cal" });
  const { token } = await e.api.auth.login({ tenant: tenant.slug, login: "cal", password: STAFF_PASSWORD });
  await e.api.withToken(token).emergencyAccess.open({
    reason: "Patient collapsed in the waiting room",
    password: STAFF_PASSWORD,
    patientRef: "PAT-2002",
  });
}

export async function roleIds(tenant: E2eTenant): Promise<Record<string, string>> {
  const roles = await tenant.admin.roles.list({ limit: 200 });
  return Object.fromEntries(roles.items.map((r) => [r.name, r.id]));
}

export async function seedClinic(e: E2e, tenant: E2eTenant): Promise<Seeded> {
  const linac = await tenant.admin.workspaces.create({ slug: "linac-a", name: "Linac Suite A" });
  const planning = await tenant.admin.workspaces.create({ slug: "planning", name: "Planning" });
  await tenant.admin.roles.create({ name: "Front desk", permissions: ["users.view", "users.credentials"] });
  const roles = await roleIds(tenant);
  const r = (name: string) => roles[name] ?? "";
  const made = [
    await staff(tenant, "Priya", "Raman", {
      roleId: r("Physicist"),
      workRole: "Radiation Oncologist",
      professionalId: "1730184521",
      title: "Dr",
    }),
    await staff(tenant, "Tomás", "Herrera", { roleId: r("Physicist"), workRole: "Medical Physicist" }),
    await staff(tenant, "Mei", "Lin", {
      roleId: r("Dosimetrist"),
      workRole: "Dosimetrist",
      workspaceAccess: [planning.id],
    }),
    await staff(tenant, "Jonas", "Becker", {
      roleId: r("Viewer"),
      workRole: "Radiation Therapist",
      workspaceRoles: [{ workspaceId: planning.id, roleId: r("Dosimetrist") }],
    }),
    await staff(tenant, "Lucía", "Fernández", { roleId: r("Viewer"), workRole: "Nurse" }),
    await staff(tenant, "Integration", "Scheduler", {
      roleId: r("Viewer"),
      virtual: true,
      username: "scheduler",
    }),
    await staff(tenant, "Fay", "Desk", {
      roleId: r("Front desk"),
      workRole: "Administrative",
      username: "frontdesk",
    }),
    await staff(tenant, "Amara", "Okafor", { roleId: r("Viewer"), workRole: "Nurse", invite: true }),
    await staff(tenant, "Samuel", "Reed", { roleId: r("Viewer"), workRole: "Radiation Therapist" }),
    await staff(tenant, "Karim", "Dubois", { roleId: r("Dosimetrist"), workRole: "Dosimetrist" }),
  ];
  const users = Object.fromEntries(made.map((u) => [u.username, u.id]));
  await tenant.admin.userActions.deactivate(users.sreed ?? "");
  await tenant.admin.userActions.archive(users.kdubois ?? "");
  await lockOut(e, tenant, "lfernandez");
  // Some have signed in, so the list shows real last sign-in times.
  for (const login of ["praman", "therrera", "jbecker"]) {
    await e.api.auth.login({ tenant: tenant.slug, login, password: STAFF_PASSWORD });
  }
  const known = (map: Record<string, string>, key: string) => {
    const id = map[key];
    if (!id) throw new Error(`nothing seeded as ${key}`);
    return id;
  };
  return {
    role: (name) => known(roles, name),
    workspaces: { linac: linac.id, planning: planning.id },
    user: (username) => known(users, username),
    active: ["admin", "praman", "therrera", "mlin", "jbecker", "lfernandez", "scheduler", "frontdesk"],
  };
}

/** RFC 6238 (SHA-1, 6 digits, 30 s) of a base32 secret, as an authenticator app shows it now. */
export function totpNow(secret: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** Enrols the signed-in user of `api` in TOTP MFA. */
export async function enrolMfa(api: Staffgate): Promise<void> {
  const { secret } = await api.mfa.startTotp();
  await api.mfa.confirmTotp(totpNow(secret));
}
