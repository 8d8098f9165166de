/**
 * SECURITY.md G-46 (with G-47, G-51): the authorization matrix, machine-readable. Every tenant
 * route has a row stating what it needs; a route without a row fails this suite, so a new route
 * cannot ship without one. For each row: a user whose role holds no permission gets 403 (or, for
 * the documented exceptions, gets through); the tenant administrator is never refused; and the
 * administrator of another tenant, given an id of the first tenant, gets the very 404 a missing
 * id gets.
 */
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, inviteUser, roleIdByName } from "./lifecycle-fixtures.ts";

/** What a route needs: one permission, all of several, any of several, or a documented exception. */
type Need =
  | { readonly permission: string }
  | { readonly all: readonly string[] }
  | { readonly anyOf: readonly string[]; readonly orApiToken?: true }
  | "any signed-in user"
  /**
   * Any signed-in user reaches the handler, but a minimal body cannot succeed without a secret only
   * the caller has (a TOTP code): the answer is judged on its merits, never 401 or 403.
   */
  | "any signed-in user; the body decides"
  /** Holders of users.view, and anyone asking about themselves (the `:id`, or the body's userId). */
  | "self or users.view";

/** What an `:id` (or `:userId`) in the path names. */
type Kind = "user" | "role" | "workspace" | "emergency" | "apiToken";

/** Ids of the first tenant a body may name. */
interface Refs {
  readonly viewerRole: string;
  readonly workspace: string;
  /** The user the body is about (check, explain, patient access). */
  readonly subject: string;
}

interface Row {
  readonly needs: Need;
  readonly id?: Kind;
  /** A minimal valid body (made per call: names must be unique). */
  readonly body?: (r: Refs) => unknown;
  /** The call ends the caller's session: each caller uses a session of its own. */
  readonly endsSession?: boolean;
}

let n = 0;
const unique = () => {
  n += 1;
  return `${n}x${Math.random().toString(36).slice(2, 8)}`;
};

const PATIENT = "patient-matrix-0001";

/** The matrix: `METHOD url` → row. A tenant route missing here fails the first test. */
const MATRIX: Readonly<Record<string, Row>> = {
  "POST /api/v1/auth/logout": { needs: "any signed-in user", endsSession: true },
  "GET /api/v1/auth/me": { needs: "any signed-in user" },
  "GET /api/v1/auth/sessions": { needs: "any signed-in user" },
  // Own sessions only: any signed-in user reaches it; an id not among the caller's own is 404
  // (sessions.test.ts covers own, another user's and another tenant's session ids).
  "DELETE /api/v1/auth/sessions/:id": { needs: "any signed-in user; the body decides" },
  "GET /api/v1/permissions": { needs: "any signed-in user" },
  // Same password again: allowed while no history is kept and no change is forced (the other rows sign in with it).
  "POST /api/v1/auth/password": {
    needs: "any signed-in user",
    body: () => ({ currentPassword: CANARY_PASSWORD, newPassword: CANARY_PASSWORD }),
  },
  "POST /api/v1/auth/mfa/totp": { needs: "any signed-in user" },
  "POST /api/v1/auth/mfa/totp/confirm": {
    needs: "any signed-in user; the body decides",
    body: () => ({ code: "000000" }),
  },
  "DELETE /api/v1/auth/mfa": { needs: "any signed-in user", body: () => ({ password: CANARY_PASSWORD }) },
  "GET /api/v1/auth/mfa": { needs: "any signed-in user" },
  // Not enrolled, the matrix's callers get 409 MFA_NOT_ENROLLED: reached, judged on its merits.
  "POST /api/v1/auth/mfa/recovery-codes": {
    needs: "any signed-in user; the body decides",
    body: () => ({ password: CANARY_PASSWORD }),
  },
  "GET /api/v1/settings": { needs: { permission: "settings.manage" } },
  "PATCH /api/v1/settings": {
    needs: { permission: "settings.manage" },
    body: () => ({ rememberDeviceDays: 29 }),
  },
  "GET /api/v1/tenant": { needs: "any signed-in user" },
  "PATCH /api/v1/tenant": {
    needs: { permission: "settings.manage" },
    body: () => ({ timeZone: "Europe/Oslo" }),
  },

  "GET /api/v1/workspaces": { needs: "any signed-in user" },
  "POST /api/v1/workspaces": {
    needs: { permission: "workspaces.manage" },
    body: () => ({ slug: `m-${unique()}`, name: "Matrix" }),
  },
  "GET /api/v1/workspaces/:id": { needs: "any signed-in user", id: "workspace" },
  "GET /api/v1/workspaces/:id/usage": { needs: { permission: "workspaces.manage" }, id: "workspace" },
  "PATCH /api/v1/workspaces/:id": {
    needs: { permission: "workspaces.manage" },
    id: "workspace",
    body: () => ({ name: "Renamed" }),
  },
  "DELETE /api/v1/workspaces/:id": { needs: { permission: "workspaces.manage" }, id: "workspace" },

  "GET /api/v1/roles": { needs: { anyOf: ["users.view", "settings.manage", "api_tokens.manage"] } },
  "POST /api/v1/roles": {
    needs: { permission: "roles.manage" },
    body: () => ({ name: `Matrix ${unique()}` }),
  },
  "GET /api/v1/roles/:id": { needs: { permission: "users.view" }, id: "role" },
  "PATCH /api/v1/roles/:id": {
    needs: { permission: "roles.manage" },
    id: "role",
    body: () => ({ description: "matrix" }),
  },
  "DELETE /api/v1/roles/:id": { needs: { permission: "roles.manage" }, id: "role" },
  "POST /api/v1/roles/:id/copy": {
    needs: { permission: "roles.manage" },
    id: "role",
    body: () => ({ name: `Matrix copy ${unique()}` }),
  },

  "GET /api/v1/audit": { needs: { permission: "audit.view" } },
  "GET /api/v1/audit/export": { needs: { permission: "audit.view" } },
  "GET /api/v1/audit/verify": { needs: { permission: "audit.view" } },
  "GET /api/v1/outbox": { needs: { permission: "settings.manage" } },
  // A purge with nothing past the horizon deletes nothing; the check is on the permission alone.
  "POST /api/v1/audit/purge": { needs: { permission: "settings.manage" }, body: () => ({}) },

  "GET /api/v1/users": { needs: { permission: "users.view" } },
  "GET /api/v1/users/export": { needs: { permission: "users.view" } },
  "POST /api/v1/users/import": {
    needs: { permission: "users.manage" },
    body: () => ({ csv: "email\n", dryRun: true }),
  },
  "POST /api/v1/users": {
    needs: { permission: "users.manage" },
    body: (r) => {
      const u = unique();
      return {
        username: `m${u}`,
        email: `m${u}@matrix.example`,
        firstName: "Mat",
        lastName: "Rix",
        roleId: r.viewerRole,
      };
    },
  },
  "GET /api/v1/users/:id": { needs: "self or users.view", id: "user" },
  "PATCH /api/v1/users/:id": {
    needs: { permission: "users.manage" },
    id: "user",
    body: () => ({ title: "Dr" }),
  },
  "GET /api/v1/seats": { needs: { permission: "users.view" } },
  "DELETE /api/v1/users/:id": { needs: { permission: "users.manage" }, id: "user" },
  "POST /api/v1/users/:id/restore": { needs: { permission: "users.manage" }, id: "user", body: () => ({}) },
  "POST /api/v1/users/:id/deactivate": { needs: { permission: "users.manage" }, id: "user" },
  "POST /api/v1/users/:id/reactivate": { needs: { permission: "users.manage" }, id: "user" },
  "POST /api/v1/users/:id/unlock": { needs: { permission: "users.credentials" }, id: "user" },
  "POST /api/v1/users/:id/purge": { needs: { permission: "users.manage" }, id: "user" },
  "GET /api/v1/users/:id/permissions": { needs: { permission: "users.view" }, id: "user" },
  "PUT /api/v1/users/:id/permissions": {
    needs: { all: ["users.manage", "roles.manage"] },
    id: "user",
    body: () => ({ permissions: [] }),
  },
  "POST /api/v1/users/:id/sessions/revoke": { needs: { permission: "users.credentials" }, id: "user" },
  "POST /api/v1/users/:id/password": {
    needs: { permission: "users.credentials" },
    id: "user",
    body: () => ({ random: true }),
  },
  "POST /api/v1/users/:id/invitation": { needs: { permission: "users.manage" }, id: "user" },
  "POST /api/v1/users/:id/mfa/reset": { needs: { permission: "users.credentials" }, id: "user" },

  "GET /api/v1/users/:id/effective-permissions": { needs: "self or users.view", id: "user" },
  "POST /api/v1/who-can": {
    needs: { anyOf: ["users.view"], orApiToken: true },
    body: () => ({ permission: "patients.read" }),
  },
  "GET /api/v1/api-tokens": { needs: { permission: "api_tokens.manage" } },
  "POST /api/v1/api-tokens": {
    needs: { permission: "api_tokens.manage" },
    body: (r) => ({ name: `Matrix ${unique()}`, roleId: r.viewerRole }),
  },
  "GET /api/v1/api-tokens/:id": { needs: { permission: "api_tokens.manage" }, id: "apiToken" },
  "DELETE /api/v1/api-tokens/:id": { needs: { permission: "api_tokens.manage" }, id: "apiToken" },
  "POST /api/v1/check": {
    needs: "self or users.view",
    body: (r) => ({ userId: r.subject, permission: "patients.read" }),
  },
  "POST /api/v1/check/batch": {
    needs: "self or users.view",
    body: (r) => ({ checks: [{ userId: r.subject, permission: "patients.read" }] }),
  },
  "POST /api/v1/explain": {
    needs: "self or users.view",
    body: (r) => ({ userId: r.subject, permission: "patients.read" }),
  },

  "GET /api/v1/patients/:patientRef/access": { needs: { permission: "patient_access.manage" } },
  "POST /api/v1/patients/:patientRef/access": {
    needs: { permission: "patient_access.manage" },
    body: (r) => ({ userId: r.subject, reason: "matrix" }),
  },
  "DELETE /api/v1/patients/:patientRef/access/:userId": {
    needs: { permission: "patient_access.manage" },
    id: "user",
  },
  // Meant for the application's API token; holders of patient_access.manage may report it too.
  "POST /api/v1/patients/:patientRef/created": {
    needs: { anyOf: ["patient_access.manage"], orApiToken: true },
    body: (r) => ({ userId: r.subject }),
  },

  "POST /api/v1/emergency-access": {
    needs: { permission: "emergency_access.use" },
    body: (r) => ({ reason: "Matrix emergency test", password: CANARY_PASSWORD, workspaceId: r.workspace }),
  },
  "GET /api/v1/emergency-access": {
    needs: { anyOf: ["users.manage", "audit.view", "emergency_access.use"] },
  },
  "POST /api/v1/emergency-access/:id/end": {
    needs: { anyOf: ["users.manage", "emergency_access.use"] },
    id: "emergency",
  },
  "POST /api/v1/emergency-access/:id/review": {
    needs: { anyOf: ["users.manage", "audit.view"] },
    id: "emergency",
    body: () => ({ note: "Reviewed by the matrix" }),
  },
  ...scimRows("/scim/v2"),
  ...scimRows("/api/v1/scim/v2"),
};

/**
 * SCIM (docs/decisions.md "SCIM 2.0"), served at both roots. Groups' writes check roles.manage or
 * users.manage in the use case (which one depends on what the body changes), so those rows name
 * the permission the matrix's body needs.
 */
function scimRows(base: string): Record<string, Row> {
  const user = (r: Refs) => {
    const u = unique();
    return {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: `scim.${u}`,
      name: { givenName: "Matrix", familyName: `Scim ${u}` },
      emails: [{ value: `scim.${u}@matrix.example`, primary: true }],
      groups: [{ value: r.viewerRole }],
    };
  };
  const group = () => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    displayName: `Matrix ${unique()}`,
  });
  const patch = (op: Record<string, unknown>) => () => ({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: [op],
  });
  return {
    [`GET ${base}/Users`]: { needs: { permission: "users.view" } },
    [`POST ${base}/Users/.search`]: { needs: { permission: "users.view" }, body: () => ({ count: 1 }) },
    [`GET ${base}/Users/:id`]: { needs: { permission: "users.view" }, id: "user" },
    [`POST ${base}/Users`]: { needs: { permission: "users.manage" }, body: user },
    [`PUT ${base}/Users/:id`]: { needs: { permission: "users.manage" }, id: "user", body: user },
    [`PATCH ${base}/Users/:id`]: {
      needs: { permission: "users.manage" },
      id: "user",
      body: patch({ op: "replace", path: "title", value: "Matrix" }),
    },
    [`DELETE ${base}/Users/:id`]: { needs: { permission: "users.manage" }, id: "user" },
    [`GET ${base}/Groups`]: { needs: { permission: "users.view" } },
    [`POST ${base}/Groups/.search`]: { needs: { permission: "users.view" }, body: () => ({ count: 1 }) },
    [`GET ${base}/Groups/:id`]: { needs: { permission: "users.view" }, id: "role" },
    [`POST ${base}/Groups`]: { needs: { anyOf: ["roles.manage"] }, body: group },
    [`PUT ${base}/Groups/:id`]: { needs: { anyOf: ["roles.manage"] }, id: "role", body: group },
    [`PATCH ${base}/Groups/:id`]: {
      needs: { anyOf: ["roles.manage"] },
      id: "role",
      body: patch({ op: "replace", path: "displayName", value: `Matrix ${unique()}` }),
    },
    [`DELETE ${base}/Groups/:id`]: { needs: { permission: "roles.manage" }, id: "role" },
  };
}

const MISSING: Record<Kind, string> = {
  user: "usr_missing0000000000000",
  role: "rol_missing0000000000000",
  workspace: "wsp_missing0000000000000",
  emergency: "emg_missing0000000000000",
  apiToken: "tok_missing0000000000000",
};

/** The path with its placeholders filled: `:id` / `:userId` with `id`, `:patientRef` with a reference. */
const fill = (template: string, id: string | undefined) =>
  template.replace(/:(id|userId)\b/, encodeURIComponent(id ?? "")).replace(":patientRef", PATIENT);

/** How to read back the object an id names (to see that a refused call left it alone). */
const readBack: Record<Kind, (id: string) => string | null> = {
  user: (id) => `/api/v1/users/${encodeURIComponent(id)}`,
  role: (id) => `/api/v1/roles/${encodeURIComponent(id)}`,
  workspace: (id) => `/api/v1/workspaces/${encodeURIComponent(id)}`,
  emergency: () => "/api/v1/emergency-access?limit=200",
  apiToken: () => "/api/v1/api-tokens?limit=200",
};

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

async function call(client: Staffgate, method: string, url: string, body?: unknown): Promise<Answer> {
  const res = await client.transport.raw(method, url, body === undefined ? {} : { body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // CSV / JSON Lines exports stay text.
  }
  return { status: res.status, body: parsed };
}

describe(`authorization matrix (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let refs: Refs;
  let nobody: { id: string; username: string; client: Staffgate };
  /** A second administrator of the first tenant: opens the emergencies the admin ends and reviews. */
  let opener: Staffgate;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    const viewerRole = await roleIdByName(t, a, "Viewer");
    const workspace = (await a.admin.workspaces.create({ slug: "matrix", name: "Matrix" })).id;
    const subject = (await createUser(t, a, { roleId: viewerRole })).user.id;
    refs = { viewerRole, workspace, subject };
    const made = await createUser(t, a, { roleId: await createRole(a, []) });
    nobody = { id: made.user.id, username: made.user.username, client: made.client };
    expect((await nobody.client.auth.me()).permissions).toEqual([]);
    opener = (await createUser(t, a)).client;
  });
  afterAll(() => t?.close());

  /** A fresh object of the first tenant, so that a call that succeeds spoils no other case. */
  async function fresh(kind: Kind): Promise<string> {
    if (kind === "role") return createRole(a, ["patients.read"]);
    if (kind === "workspace") {
      return (await a.admin.workspaces.create({ slug: `w-${unique()}`, name: "Fresh", protected: false })).id;
    }
    if (kind === "emergency") {
      const res = await call(opener, "POST", "/api/v1/emergency-access", {
        reason: "Matrix emergency fixture",
        password: CANARY_PASSWORD,
        workspaceId: refs.workspace,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return (res.body as { id: string }).id;
    }
    if (kind === "apiToken") {
      return (await a.admin.apiTokens.create({ name: `Matrix ${unique()}`, roleId: refs.viewerRole })).id;
    }
    return (await inviteUser(t, a, refs.viewerRole)).id;
  }

  const split = (key: string) => key.split(" ") as [string, string];

  it("has a row for every tenant route, and a route for every row", () => {
    const routes = t.app.routesRegistry.filter((r) => r.auth === "tenant");
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    expect(
      keys.filter((k) => !(k in MATRIX)),
      "tenant routes without an authorization-matrix row",
    ).toEqual([]);
    expect(
      Object.keys(MATRIX).filter((k) => !keys.includes(k)),
      "rows without a route",
    ).toEqual([]);
    // Where the route declares one permission, the row says the same.
    for (const r of routes) {
      const row = MATRIX[`${r.method} ${r.url}`]!;
      const declared =
        typeof row.needs === "object" && "permission" in row.needs ? row.needs.permission : null;
      expect(r.permission, `${r.method} ${r.url}`).toBe(declared);
    }
  });

  describe("a user whose role holds no permission", () => {
    it.each(Object.entries(MATRIX))("%s", async (key, row) => {
      const [method, template] = split(key);
      const id = row.id ? await fresh(row.id) : undefined;
      const client = row.endsSession ? await t.signIn(a.slug, nobody.username) : nobody.client;
      const res = await call(client, method, fill(template, id), row.body?.(refs));
      const shown = `${key}: ${res.status} ${JSON.stringify(res.body)}`;
      if (row.needs === "any signed-in user") {
        expect(res.status, shown).toBeLessThan(300);
        return;
      }
      if (row.needs === "any signed-in user; the body decides") {
        expect([401, 403], shown).not.toContain(res.status);
        expect(res.status, shown).toBeLessThan(500);
        return;
      }
      expect(res.status, shown).toBe(403);
      expect((res.body as { code: string }).code, shown).toBe("FORBIDDEN");
      // The refusal says what was missing (a key, or a rule in words), never only "not allowed".
      expect((res.body as { detail?: string }).detail, shown).toMatch(/^This needs (the|an|one of) /);
      if (row.needs === "self or users.view") {
        // The exception: about oneself the same call goes through.
        const own = await call(
          nobody.client,
          method,
          fill(template, nobody.id),
          row.body?.({ ...refs, subject: nobody.id }),
        );
        expect(own.status, `${key} about oneself: ${JSON.stringify(own.body)}`).toBe(200);
      }
    });
  });

  describe("a user whose role holds no permission, sending an empty body", () => {
    // Refused before its input is read: 403, never a 400 that lists what the body should hold.
    const guarded = Object.entries(MATRIX).filter(
      ([key, row]) => typeof row.needs === "object" && !key.startsWith("GET ") && !key.startsWith("DELETE "),
    );
    it.each(guarded)("%s", async (key, row) => {
      const [method, template] = split(key);
      const id = row.id ? MISSING[row.id] : undefined;
      const res = await call(nobody.client, method, fill(template, id), {});
      expect(
        [res.status, (res.body as { code: string }).code],
        `${key}: ${JSON.stringify(res.body)}`,
      ).toEqual([403, "FORBIDDEN"]);
    });
  });

  describe("the tenant administrator", () => {
    it.each(Object.entries(MATRIX))("%s", async (key, row) => {
      const [method, template] = split(key);
      const id = row.id ? await fresh(row.id) : undefined;
      const client = row.endsSession ? await t.signIn(a.slug, a.adminUsername) : a.admin;
      const res = await call(client, method, fill(template, id), row.body?.(refs));
      const shown = `${key}: ${res.status} ${JSON.stringify(res.body)}`;
      expect([401, 403], shown).not.toContain(res.status);
      expect(res.status, shown).toBeLessThan(500);
      // A success is one the OpenAPI document names for the route (its status, or another it lists).
      if (res.status < 300) {
        const r = t.app.routesRegistry.find((x) => `${x.method} ${x.url}` === key)!;
        const documented = [r.status, ...Object.keys(r.otherResponses ?? {}).map(Number)];
        expect(documented, shown).toContain(res.status);
      }
    });
  });

  describe("another tenant's administrator, with an id of the first tenant", () => {
    const withId = Object.entries(MATRIX).filter(([, row]) => row.id);
    it.each(withId)("%s", async (key, row) => {
      const [method, template] = split(key);
      const kind = row.id!;
      const id = await fresh(kind);
      const before = await call(a.admin, "GET", readBack[kind](id)!);
      const foreign = await call(b.admin, method, fill(template, id), row.body?.(refs));
      const missing = await call(b.admin, method, fill(template, MISSING[kind]), row.body?.(refs));
      const scrub = (x: unknown, s: string) => JSON.parse(JSON.stringify(x).replaceAll(s, "<id>"));
      expect(foreign.status, `${key}: ${JSON.stringify(foreign.body)}`).toBe(404);
      expect(scrub(foreign.body, id), "identical to a missing id").toEqual(
        scrub(missing.body, MISSING[kind]),
      );
      // And the first tenant's object is untouched.
      expect(await call(a.admin, "GET", readBack[kind](id)!), "unchanged").toEqual(before);
    });
  });
});
