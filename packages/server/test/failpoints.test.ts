/**
 * SECURITY.md §5.2 failpoints: `FAILPOINT=after_user_insert|after_hash_write|before_commit` makes
 * the real server process exit with code 137 at that exact point inside a change; restarted
 * without it, nothing of the change is there (ASVS 2.3.3), everything before it is, and the
 * audit chain verifies. Complements crash-recovery.test.ts, whose kills land at random moments.
 */
import { randomBytes } from "node:crypto";
import { Staffgate } from "@staffgate/sdk";
import { afterAll, describe, expect, it } from "vitest";
import { type CrashDatabase, createCrashDatabase, type ServerProcess, spawnServer } from "./crash-helpers.ts";
import { PG_ADMIN_URL, TEST_DB } from "./harness.ts";

const BOOTSTRAP_PASSWORD = `failpoint-bootstrap-${randomBytes(12).toString("base64url")}`;
const OPERATOR_TOKEN = `failpoint-operator-${randomBytes(16).toString("hex")}`;
const OLD_PASSWORD = "the staff member's first passphrase";
const NEW_PASSWORD = "a passphrase that never lands";

const client = (baseUrl: string, token?: string) => new Staffgate({ baseUrl, ...(token ? { token } : {}) });

describe(`failpoints (${TEST_DB})`, () => {
  let database: CrashDatabase | undefined;
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("exits at each failpoint with code 137 and leaves nothing of the change behind", {
    timeout: 240_000,
  }, async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    const serve = (failpoint?: string) =>
      spawnServer({
        databaseUrl: database!.url,
        bootstrapPassword: BOOTSTRAP_PASSWORD,
        operatorToken: OPERATOR_TOKEN,
        ...(failpoint ? { failpoint } : {}),
      });

    // Before any failpoint: the demo administrator, a staff member with a password and a session.
    server = await serve();
    const anon = client(server.url);
    const { token: adminToken } = await anon.auth.login({
      tenant: "demo",
      login: "admin",
      password: BOOTSTRAP_PASSWORD,
    });
    let admin = client(server.url, adminToken);
    const me = await admin.auth.me();
    const staff = await admin.users.create({
      username: "steady",
      email: "steady@demo.example",
      firstName: "Stella",
      lastName: "Steady",
      roleId: me.user.roleId,
      password: OLD_PASSWORD,
      mustChangePassword: false,
    } as never);
    const { token: staffToken } = await anon.auth.login({
      tenant: "demo",
      login: "steady",
      password: OLD_PASSWORD,
    });
    await server.stop();

    /** Sends `change` to a server armed with `failpoint`: no answer, and the process exits with 137. */
    const dies = async (
      failpoint: string,
      change: (api: Staffgate) => Promise<unknown>,
      first?: (url: string) => Promise<void>,
    ) => {
      server = await serve(failpoint);
      expect(server.output()).toContain(`FAILPOINT=${failpoint} is set`);
      await first?.(server.url);
      await expect(change(client(server.url, adminToken))).rejects.toThrow();
      expect(await server.ended, server.output()).toEqual({ code: 137, signal: null });
      expect(server.output()).toContain(`FAILPOINT ${failpoint} reached`);
      server = await serve();
      admin = client(server.url, adminToken);
    };

    await dies("after_user_insert", (api) =>
      api.users.create({
        username: "halfmade",
        email: "halfmade@demo.example",
        firstName: "Half",
        lastName: "Made",
        roleId: me.user.roleId,
      } as never),
    );
    expect((await admin.users.list({ q: "halfmade" })).items).toEqual([]);
    await server.stop();

    await dies("after_hash_write", (api) =>
      api.credentials.setUserPassword(staff.id, { password: NEW_PASSWORD, mustChangePassword: false }),
    );
    // The old password still signs in, the new one does not, and the session it would have ended lives.
    expect(
      (await client(server.url).auth.login({ tenant: "demo", login: "steady", password: OLD_PASSWORD }))
        .token,
    ).toBeTruthy();
    await expect(
      client(server.url).auth.login({ tenant: "demo", login: "steady", password: NEW_PASSWORD }),
    ).rejects.toThrow();
    expect((await client(server.url, staffToken).auth.me()).user.id).toBe(staff.id);
    const before = await admin.users.get(staff.id);
    await server.stop();

    await dies(
      "before_commit",
      (api) => api.users.update(staff.id, { title: "Never saved" } as never),
      // Not changes: a sign-in's bookkeeping, a wrong password, forgot-password, an export.
      async (url) => {
        const anonymous = client(url);
        expect(
          (await anonymous.auth.login({ tenant: "demo", login: "steady", password: OLD_PASSWORD })).token,
        ).toBeTruthy();
        await expect(
          anonymous.auth.login({ tenant: "demo", login: "steady", password: NEW_PASSWORD }),
        ).rejects.toThrow();
        await anonymous.credentials.forgotPassword({ tenant: "demo", email: "steady@demo.example" });
        expect(
          (await client(url, adminToken).transport.raw("GET", "/api/v1/audit/export?format=jsonl")).status,
        ).toBe(200);
      },
    );
    const after = await admin.users.get(staff.id);
    expect([after.title, after.version]).toEqual([before.title, before.version]);

    const verify = await admin.audit.verify();
    expect(verify.ok).toBe(true);
    const events = (await admin.audit.list({ limit: 200 })).items;
    expect(events.map((e) => e.action)).not.toContain("user.password_set");
    expect(events.filter((e) => e.action === "user.created").map((e) => e.target?.label)).not.toContain(
      "halfmade",
    );
    expect(events.filter((e) => e.action === "user.updated")).toEqual([]);
  });
});
