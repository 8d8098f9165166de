/**
 * `staffgate serve` on a database this configuration cannot serve stops at start-up, saying what
 * to set: a tenant bound to a catalogue that is not loaded (it would sign in, then be refused every
 * request with /readyz 200), and TOTP secrets sealed with a STAFFGATE_SECRET_KEY that is missing or
 * another (every enrolled user's sign-in would answer 500).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateTenantBody } from "@staffgate/contract";
import { totpSecretKeyProblem } from "@staffgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { secretBinding } from "../../core/src/auth/mfa.service.ts";
import { newTotpSecret, sealSecret, secretKeyFrom } from "../../core/src/auth/mfa-secrets.ts";
import { buildApp, type StaffgateApp } from "../src/app.ts";
import { type CrashDatabase, createCrashDatabase } from "./crash-helpers.ts";
import { CANARY_PASSWORD, PG_ADMIN_URL, TEST_DB } from "./harness.ts";
import { runServe, stopServers } from "./serve-process.ts";

const SECRET_KEY = "startup-test-sealing-key-0123456789-abcdef";
const PRESET = path.resolve(import.meta.dirname, "../../core/src/catalog/presets/veterinary.json");

/** The app in-process on `url`, to prepare the database a server will then be started on. */
async function prepare(url: string, work: (app: StaffgateApp) => Promise<void>, catalog?: string) {
  const app = await buildApp({
    databaseUrl: url,
    consoleDir: false,
    hasher: { memoryCost: 1024, timeCost: 1 },
    ...(catalog ? { catalog } : {}),
  });
  try {
    await work(app);
  } finally {
    await app.close();
  }
}

const createTenant = (app: StaffgateApp, slug: string) =>
  app.core.tenants.createTenant(
    { ip: null, userAgent: null, requestId: null },
    CreateTenantBody.parse({
      slug,
      name: `Clinic ${slug}`,
      admin: {
        username: "root",
        email: `root@${slug}.example`,
        firstName: "R",
        lastName: "Root",
        password: CANARY_PASSWORD,
      },
    }),
  );

describe(`staffgate serve on a database it cannot serve (${TEST_DB})`, { timeout: 90_000 }, () => {
  let database: CrashDatabase | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await stopServers();
    await database?.drop();
    database = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("stops when a tenant's catalogue is not loaded, naming the tenants, the catalogue and STAFFGATE_CATALOG", async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    dir = mkdtempSync(path.join(tmpdir(), "sg-catalog-"));
    const file = path.join(dir, "custom.json");
    writeFileSync(
      file,
      JSON.stringify({ ...JSON.parse(readFileSync(PRESET, "utf8")), name: "custom-clinic" }),
    );
    await prepare(
      database.url,
      async (app) => {
        for (const slug of ["north-vet", "south-vet"]) {
          expect((await createTenant(app, slug)).tenant.catalog).toBe("custom-clinic");
        }
      },
      file,
    );

    const refused = await runServe({ DATABASE_URL: database.url });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('catalogue "custom-clinic": tenants north-vet, south-vet');
    expect(refused.stderr).toContain('Set STAFFGATE_CATALOG (now "radiotherapy")');

    // What the message says to do is enough.
    const started = await runServe({ DATABASE_URL: database.url, STAFFGATE_CATALOG: file });
    expect(started.url).toBeDefined();
    expect(await started.stop()).toBe(0);
  });

  /** The veterinary preset as a custom catalogue, changed by `edit`, written to the test's directory. */
  function catalogFile(version: string, edit: (c: { permissions: { key: string }[] }) => void = () => {}) {
    dir ??= mkdtempSync(path.join(tmpdir(), "sg-catalog-"));
    const file = path.join(dir, `custom-${version}.json`);
    const catalog = { ...JSON.parse(readFileSync(PRESET, "utf8")), name: "custom-clinic", version };
    edit(catalog);
    writeFileSync(file, JSON.stringify(catalog));
    return file;
  }
  const IMPLANTS = {
    key: "implants.place",
    label: "Place implants",
    category: "Surgery",
    scope: "tenant+workspace",
  };

  it("gives the locked Administrator the permissions a new catalogue version adds, once, audited as the system's change", async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    const v1 = catalogFile("1.0.0");
    const v2 = catalogFile("1.1.0", (c) => c.permissions.push(IMPLANTS));
    let adminUserId = "";
    await prepare(
      database.url,
      async (app) => {
        adminUserId = (await createTenant(app, "north-vet")).adminUserId;
      },
      v1,
    );

    const started = await runServe({ DATABASE_URL: database.url, STAFFGATE_CATALOG: v2, LOG_LEVEL: "info" });
    expect(started.url).toBeDefined();
    const call = async (method: string, url: string, token?: string, body?: unknown) => {
      const res = await fetch(`${started.url}${url}`, {
        method,
        headers: {
          ...(body ? { "content-type": "application/json" } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const login = await call("POST", "/api/v1/auth/login", undefined, {
      tenant: "north-vet",
      login: "root",
      password: CANARY_PASSWORD,
    });
    const token = login.body.token as string;
    const roles = (await call("GET", "/api/v1/roles", token)).body.items as unknown as {
      name: string;
      permissions: string[];
    }[];
    expect(roles.find((r) => r.name === "Administrator")?.permissions).toContain("implants.place");
    // Only the every-permission role: the tenant's other roles are its own to change.
    expect(roles.find((r) => r.name === "Manager")?.permissions).not.toContain("implants.place");
    const check = await call("POST", "/api/v1/check", token, {
      userId: adminUserId,
      permission: "implants.place",
    });
    expect(check.body.allowed).toBe(true);
    const audited = async () =>
      (await call("GET", "/api/v1/audit?action=role.updated", token)).body.items as unknown as {
        actor: { type: string };
        changes: { permissions: { after: string[] } };
      }[];
    const events = await audited();
    expect(events).toHaveLength(1);
    expect(events[0]!.actor.type).toBe("system");
    expect(events[0]!.changes.permissions.after).toContain("implants.place");
    expect(await started.stop()).toBe(0);
    // Read once the process has ended: its log (stdout) and banner (stderr) arrive on two pipes.
    expect(started.stdout).toContain('"event":"sys_catalog_upgraded","roles":1');

    const again = await runServe({ DATABASE_URL: database.url, STAFFGATE_CATALOG: v2, LOG_LEVEL: "info" });
    expect(await again.stop()).toBe(0);
    expect(again.stdout).toContain('"event":"sys_startup"');
    expect(again.stdout).not.toContain("sys_catalog_upgraded");
    const third = await runServe({ DATABASE_URL: database.url, STAFFGATE_CATALOG: v2 });
    const relogin = await fetch(`${third.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenant: "north-vet", login: "root", password: CANARY_PASSWORD }),
    });
    const { token: token2 } = (await relogin.json()) as { token: string };
    const list = await fetch(`${third.url}/api/v1/audit?action=role.updated`, {
      headers: { authorization: `Bearer ${token2}` },
    });
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(1);
    expect(await third.stop()).toBe(0);
  });

  it("stops when a role holds a key the catalogue dropped, naming the tenant, the role and the key", async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    const v1 = catalogFile("1.0.0");
    const shrunk = catalogFile("1.2.0", (c) => {
      c.permissions = c.permissions.filter((p) => p.key !== "clients.delete");
      for (const role of (c as unknown as { roles: { permissions: string[] | "*" }[] }).roles)
        if (role.permissions !== "*")
          role.permissions = role.permissions.filter((k) => k !== "clients.delete");
    });
    await prepare(database.url, async (app) => void (await createTenant(app, "north-vet")), v1);

    const refused = await runServe({ DATABASE_URL: database.url, STAFFGATE_CATALOG: shrunk });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('tenant north-vet (catalogue "custom-clinic" 1.2.0):');
    expect(refused.stderr).toContain('role "Manager": clients.delete');
    // The locked every-permission role is brought to the catalogue instead: nobody could edit it.
    expect(refused.stderr).not.toContain('role "Administrator"');

    const started = await runServe({ DATABASE_URL: database.url, STAFFGATE_CATALOG: v1 });
    expect(started.url).toBeDefined();
    expect(await started.stop()).toBe(0);
  });

  it("stops when TOTP secrets are sealed and STAFFGATE_SECRET_KEY is missing or another key", async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    await prepare(database.url, async (app) => {
      const { tenant, adminUserId } = await createTenant(app, "sealed");
      await app.core.deps.db.kysely
        .insertInto("mfa_totp")
        .values({
          tenant_id: tenant.id,
          user_id: adminUserId,
          secret: sealSecret(
            newTotpSecret(),
            secretKeyFrom(SECRET_KEY),
            secretBinding(tenant.id, adminUserId),
          ),
          created_at: new Date().toISOString(),
          confirmed_at: new Date().toISOString(),
          last_used_step: 0,
        })
        .execute();
      const db = app.core.deps.db;
      expect(await totpSecretKeyProblem(db, SECRET_KEY)).toBeNull();
      expect(await totpSecretKeyProblem(db, undefined)).toMatch(/STAFFGATE_SECRET_KEY, which is not set/);
      expect(await totpSecretKeyProblem(db, `${SECRET_KEY}-other`)).toMatch(
        /STAFFGATE_SECRET_KEY does not open the TOTP secrets/,
      );
    });

    const missing = await runServe({ DATABASE_URL: database.url });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^The database holds TOTP secrets sealed with STAFFGATE_SECRET_KEY/m);
    const other = await runServe({ DATABASE_URL: database.url, STAFFGATE_SECRET_KEY: `${SECRET_KEY}-other` });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^STAFFGATE_SECRET_KEY does not open the TOTP secrets/m);
    expect(other.stderr).not.toContain(SECRET_KEY);

    const started = await runServe({ DATABASE_URL: database.url, STAFFGATE_SECRET_KEY: SECRET_KEY });
    expect(started.url).toBeDefined();
    expect(await started.stop()).toBe(0);
  });
});
