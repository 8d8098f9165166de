import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { STAFFGATE } from "../../cli/test/cli-helpers.ts";
import { startTestApp, type TestApp } from "./harness.ts";

describe(`start-up on an empty database (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("creates tenant demo with admin and a random one-time password that must be changed", async () => {
    t = await startTestApp();
    const boot = await t.app.core.tenants.bootstrapDemo();
    expect(boot).toMatchObject({ created: true, generated: true });
    expect(boot.password!.length).toBeGreaterThanOrEqual(20);
    const login = await t.anonymous.auth.login({ tenant: "demo", login: "admin", password: boot.password! });
    expect(login.mustChangePassword).toBe(true);
    expect(login.user).toMatchObject({ email: "admin@demo.example", status: "active" });
    const me = await t.anonymous.withToken(login.token).auth.me();
    expect(me.tenant.name).toBe("Demo Practice");
    expect(await t.app.core.tenants.bootstrapDemo()).toEqual({ created: false });
  });

  it("uses STAFFGATE_BOOTSTRAP_PASSWORD without forcing a change", async () => {
    t = await startTestApp();
    await t.app.core.tenants.bootstrapDemo("bootstrap-password-for-tests");
    const login = await t.anonymous.auth.login({
      tenant: "demo",
      login: "admin",
      password: "bootstrap-password-for-tests",
    });
    expect(login.mustChangePassword).toBe(false);
  });
});

// The real process (the README's start command's last step); SQLite only, since it is about the process, not the database.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("staffgate serve", () => {
  it("migrates, bootstraps, prints how to sign in, logs JSON, and stops cleanly on SIGTERM", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-serve-"));
    const child = spawn(process.execPath, [...STAFFGATE, "serve"], {
      cwd: path.resolve(import.meta.dirname, "../../.."),
      env: {
        ...process.env,
        PORT: "0",
        // PORT=0 needs it: links in emails cannot be built from a port picked when listening.
        STAFFGATE_PUBLIC_URL: "http://127.0.0.1:3999",
        DATABASE_URL: path.join(dir, "sg.db"),
        STAFFGATE_BOOTSTRAP_PASSWORD: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner:\n${stderr}\n${stdout}`)), 20_000);
      child.stderr.on("data", () => {
        const m = /running at (http:\/\/\S+)/.exec(stderr);
        if (m && /One-time password for admin: (\S+)/.test(stderr)) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const password = /One-time password for admin: (\S+)/.exec(stderr)![1]!;
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenant: "demo", login: "admin", password }),
    });
    expect(login.status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", (c) => resolve(c));
      child.kill("SIGTERM");
    });
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(stdout).toContain('"event":"sys_shutdown"');
    expect(stdout).not.toContain(password);
    rmSync(dir, { recursive: true, force: true });
  });
});
