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
import { newTotpSecret, sealSecret, secretKeyFrom } from "../../core/src/auth/mfa.rules.ts";
import { secretBinding } from "../../core/src/auth/mfa.service.ts";
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
