/**
 * ASVS 6.2.12 (L2), SECURITY.md 6: new passwords are looked up in a breached-password set by
 * k-anonymity range, from an offline fixture (a directory of range files, as CI must be offline) or
 * a range API (here a local server standing in for Pwned Passwords). Every route that takes a
 * chosen password refuses a listed one with `passwordProblem: BREACHED` and changes nothing; a
 * source that cannot answer lets the password through and says so in the log (docs/decisions.md).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  captureLog,
  problemOf,
  startTestApp,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createUser, resetLinkToken, roleIdByName } from "./lifecycle-fixtures.ts";

/** Passes every offline rule; listed in the fixture as breached 12 times. */
const BREACHED = "staple-lantern-harbour-9911";
/** Listed only as a padding line (count 0), which is not a match. */
const PADDING = "meadow-padding-whistle-4410";
const CLEAN = "violet-harbour-lantern-0420";

/** The SHA-1 of a password, upper-case hex, split as Pwned Passwords' ranges are. */
function rangeOf(password: string) {
  const hex = createHash("sha1").update(password).digest("hex").toUpperCase();
  return { prefix: hex.slice(0, 5), suffix: hex.slice(5) };
}

/** Range files for the fixture: the breached entry among made-up neighbours, and a padding line. */
function rangeFiles(): Map<string, string> {
  const files = new Map<string, string[]>();
  const add = (password: string, count: number) => {
    const { prefix, suffix } = rangeOf(password);
    const lines = files.get(prefix) ?? ["0018A45C4D1DEF81644B54AB7F969B88D65:1"];
    lines.push(`${suffix}:${count}`);
    files.set(prefix, lines);
  };
  add(BREACHED, 12);
  add(PADDING, 0);
  return new Map([...files].map(([prefix, lines]) => [prefix, `${lines.join("\r\n")}\r\n`]));
}

function fixtureDirectory(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "staffgate-breached-"));
  for (const [prefix, body] of rangeFiles()) writeFileSync(path.join(dir, `${prefix}.txt`), body);
  return dir;
}

/** A stand-in for the Pwned Passwords range API, recording what it was asked. */
async function rangeServer(answer: "ranges" | 503) {
  const files = rangeFiles();
  const asked: { url: string; padding: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    asked.push({ url: req.url ?? "", padding: req.headers["add-padding"] as string | undefined });
    if (answer === 503) return res.writeHead(503).end();
    const prefix = /^\/range\/([0-9A-F]{5})$/.exec(req.url ?? "")?.[1];
    res.writeHead(prefix ? 200 : 404, { "content-type": "text/plain" }).end(files.get(prefix ?? "") ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/range/`, asked, close: () => server.close() };
}

describe(`breached passwords (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  describe("from an offline fixture of range files", () => {
    let t: TestApp;
    let a: TestTenant;
    let dir: string;
    beforeAll(async () => {
      dir = fixtureDirectory();
      t = await startTestApp({ breachedPasswords: dir });
      a = await t.createTenant();
    });
    afterAll(async () => {
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("refuses a listed password on a password change, naming the reason, and changes nothing", async () => {
      const { user, client } = await createUser(t, a);
      const refused = await problemOf(() =>
        client.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: BREACHED }),
      );
      expect([refused.status, refused.code, refused.problem.passwordProblem]).toEqual([
        400,
        "VALIDATION_FAILED",
        "BREACHED",
      ]);
      expect(refused.errors).toEqual([
        {
          path: "newPassword",
          message: "password appears in a list of passwords exposed in data breaches; choose another",
        },
      ]);
      // The old password still signs in; the refused one does not.
      await t.signIn(a.slug, user.username);
      expect((await problemOf(() => t.signIn(a.slug, user.username, BREACHED))).status).toBe(401);
    });

    it("accepts a padding line (count 0) and a password the set does not list", async () => {
      const { user, client } = await createUser(t, a);
      await client.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: PADDING });
      const again = await t.signIn(a.slug, user.username, PADDING);
      await again.credentials.changePassword({ currentPassword: PADDING, newPassword: CLEAN });
      await t.signIn(a.slug, user.username, CLEAN);
    });

    it("refuses it for a new user, an administrator's typed password and a new tenant's administrator", async () => {
      const roleId = await roleIdByName(t, a, "Viewer");
      const created = await problemOf(() =>
        a.admin.users.create({
          username: "breached-new",
          email: "breached-new@example.test",
          firstName: "Bea",
          lastName: "Breach",
          roleId,
          password: BREACHED,
        } as never),
      );
      expect([created.status, created.errors[0]?.path, created.problem.passwordProblem]).toEqual([
        400,
        "password",
        "BREACHED",
      ]);
      expect((await a.admin.users.list({ q: "breached-new" })).items).toEqual([]);

      const { user } = await createUser(t, a);
      const typed = await problemOf(() =>
        a.admin.credentials.setUserPassword(user.id, { password: BREACHED }),
      );
      expect([typed.status, typed.errors[0]?.path, typed.problem.passwordProblem]).toEqual([
        400,
        "password",
        "BREACHED",
      ]);
      await t.signIn(a.slug, user.username);

      const tenant = await problemOf(() =>
        t.operator.tenants.create({
          slug: "breached-practice",
          name: "Breached Practice",
          admin: {
            username: "admin",
            email: "admin@breached.example",
            firstName: "Ada",
            lastName: "Admin",
            password: BREACHED,
          },
        }),
      );
      expect([tenant.status, tenant.errors[0]?.path, tenant.problem.passwordProblem]).toEqual([
        400,
        "admin.password",
        "BREACHED",
      ]);
      const slugs = (await t.operator.tenants.list()).items.map((x) => x.slug);
      expect(slugs).not.toContain("breached-practice");
    });

    it("refuses it on a reset link, which stays usable for a password that is not listed", async () => {
      const { user } = await createUser(t, a);
      await t.anonymous.credentials.forgotPassword({ tenant: a.slug, email: user.email });
      const token = await resetLinkToken(t, a.id, user.email);
      const refused = await problemOf(() =>
        t.anonymous.credentials.resetPassword({ token, newPassword: BREACHED }),
      );
      expect([refused.status, refused.errors[0]?.path, refused.problem.passwordProblem]).toEqual([
        400,
        "newPassword",
        "BREACHED",
      ]);
      await t.anonymous.credentials.resetPassword({ token, newPassword: CLEAN });
      await t.signIn(a.slug, user.username, CLEAN);
    });
  });

  describe("from a range API", () => {
    it("sends only the hash's 5-character prefix, asks for padding, and refuses a listed password", async () => {
      const api = await rangeServer("ranges");
      const t = await startTestApp({ breachedPasswords: api.url });
      try {
        const a = await t.createTenant();
        const { client } = await createUser(t, a);
        const refused = await problemOf(() =>
          client.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: BREACHED }),
        );
        expect(refused.problem.passwordProblem).toBe("BREACHED");
        const { prefix, suffix } = rangeOf(BREACHED);
        expect(api.asked).toContainEqual({ url: `/range/${prefix}`, padding: "true" });
        for (const { url } of api.asked) {
          expect(url).toMatch(/^\/range\/[0-9A-F]{5}$/);
          expect(url).not.toContain(suffix);
        }
      } finally {
        await t.close();
        api.close();
      }
    });

    it("never looks up a password Staffgate generated (the first start's one-time password)", async () => {
      const log = captureLog("warn");
      const closed = await rangeServer("ranges");
      closed.close();
      const t = await startTestApp({ breachedPasswords: closed.url, logger: log.logger });
      try {
        const made = await t.app.core.tenants.bootstrapDemo();
        expect(made).toMatchObject({ created: true, generated: true });
        // A lookup would have met the closed port and said so.
        expect(log.parsed().filter((l) => l.event === "sys_breach_check_unavailable")).toEqual([]);
        // A chosen password is looked up, and meets the closed port.
        const a = await t.createTenant();
        const { client } = await createUser(t, a);
        await client.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: CLEAN });
        expect(log.parsed().filter((l) => l.event === "sys_breach_check_unavailable")).not.toEqual([]);
      } finally {
        await t.close();
      }
    });

    it("accepts the password when the source cannot answer, and logs why without the password", async () => {
      const down = await rangeServer(503);
      const log = captureLog("warn");
      // A port nothing listens on: the connection is refused.
      const closed = await rangeServer("ranges");
      closed.close();
      for (const source of [down.url, closed.url]) {
        const t = await startTestApp({ breachedPasswords: source, logger: log.logger });
        try {
          const a = await t.createTenant();
          const { user, client } = await createUser(t, a);
          await client.credentials.changePassword({
            currentPassword: CANARY_PASSWORD,
            newPassword: BREACHED,
          });
          await t.signIn(a.slug, user.username, BREACHED);
        } finally {
          await t.close();
        }
      }
      down.close();
      const warnings = log.parsed().filter((l) => l.event === "sys_breach_check_unavailable");
      expect(warnings.map((w) => w.reason)).toEqual(
        expect.arrayContaining([
          "the range API answered 503",
          expect.stringMatching(/^the range API could not be reached/),
        ]),
      );
      const { prefix } = rangeOf(BREACHED);
      for (const line of log.lines) {
        expect(line).not.toContain(BREACHED);
        expect(line).not.toContain(prefix);
      }
    });
  });
});
