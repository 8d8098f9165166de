/** `staffgate user create|import` as the operator: the API's own checks, audited as the operator. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCore, type Db, openDatabase } from "@staffgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tenantCreateArgs } from "./cli-helpers.ts";

const ADMIN_PASSWORD = "users-canary-Pa55word-curlew-5531";
const USER_PASSWORD = "given-by-env-Pa55word-wren-2284";

// SQLite only, like cli.test.ts: arguments, output and exit codes; the rules themselves are core's.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")(
  "staffgate user create|import",
  { timeout: 60_000 },
  () => {
    let dir: string;
    let dbFile: string;
    const cli = (args: readonly string[], env: Record<string, string> = {}) => runCli(dbFile, args, env);
    const create = (env: Record<string, string>, ...extra: string[]) =>
      cli(
        [
          "user",
          "create",
          "--tenant",
          "west",
          "--first",
          "Nia",
          "--last",
          "Nurse",
          "--role",
          "viewer",
          ...extra,
        ],
        env,
      );

    async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
      const db = openDatabase(dbFile);
      try {
        return await work(db);
      } finally {
        await db.destroy();
      }
    }

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "staffgate-users-"));
      dbFile = join(dir, "staffgate.db");
      expect(cli(["migrate"]).code).toBe(0);
      expect(cli(tenantCreateArgs("west"), { STAFFGATE_ADMIN_PASSWORD: ADMIN_PASSWORD }).code).toBe(0);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("creates a user with the password from the environment, never printing it; it signs in and must change it", async () => {
      const r = create(
        { STAFFGATE_USER_PASSWORD: USER_PASSWORD },
        "--username",
        "nia",
        "--email",
        "nia@west.example",
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Created user nia \(usr_/);
      expect(r.stdout).not.toContain(USER_PASSWORD);
      const login = await withDb((db) =>
        createCore({ db, hasher: { memoryCost: 1024, timeCost: 1 } }).auth.login(
          { ip: null, userAgent: null, requestId: null },
          { tenant: "west", login: "nia", password: USER_PASSWORD },
        ),
      );
      expect(login.mustChangePassword).toBe(true);
      const audit = await withDb((db) =>
        db.allTenants
          .selectFrom("audit_events")
          .select(["actor_type", "target_label"])
          .where("action", "=", "user.created")
          .where("target_label", "=", "nia")
          .execute(),
      );
      expect(audit).toEqual([{ actor_type: "operator", target_label: "nia" }]);
    });

    it("creates a user with no workspace: --workspaces none", async () => {
      const r = create(
        {},
        "--username",
        "nowhere",
        "--email",
        "nowhere@west.example",
        "--workspaces",
        "none",
      );
      expect([r.code, r.stderr]).toEqual([0, ""]);
      const row = await withDb((db) =>
        db.allTenants
          .selectFrom("users")
          .select(["id", "workspace_access_all"])
          .where("username", "=", "nowhere")
          .executeTakeFirstOrThrow(),
      );
      expect(Number(row.workspace_access_all)).toBe(0);
      const listed = await withDb((db) =>
        db.allTenants
          .selectFrom("user_workspaces")
          .select("workspace_id")
          .where("user_id", "=", row.id)
          .execute(),
      );
      expect(listed).toEqual([]);
    });

    it("invites a user created without a password; refuses a taken username (1) and a missing email (2)", async () => {
      const r = create({ STAFFGATE_USER_PASSWORD: "" }, "--username", "ola", "--email", "ola@west.example");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("invited");
      expect(cli(["outbox", "--tenant", "west"]).stdout).toContain("To: ola@west.example");
      const taken = create({}, "--username", "ola", "--email", "other@west.example");
      expect([taken.code, taken.stderr]).toEqual([1, expect.stringMatching(/username/)]);
      const missing = create({}, "--username", "pia");
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/email/);
    });

    it("builds invitation links from the public URL serve uses: STAFFGATE_PUBLIC_URL, or --public-url", () => {
      /** The base of the invitation link emailed to `email`, as the outbox holds it. */
      const linkBase = (email: string) => {
        const outbox = cli(["outbox", "--tenant", "west", "--limit", "100"]).stdout;
        const message = outbox.split("── ").find((m) => m.includes(`To: ${email}\n`));
        return /(\S+)\/accept-invitation#token=/.exec(message ?? "")?.[1];
      };
      const invite = (username: string, env: Record<string, string>, ...flags: string[]) =>
        create(
          { STAFFGATE_USER_PASSWORD: "", ...env },
          "--username",
          username,
          "--email",
          `${username}@west.example`,
          ...flags,
        );
      expect(invite("uma", { STAFFGATE_PUBLIC_URL: "https://staff.west.example" }).code).toBe(0);
      expect(linkBase("uma@west.example")).toBe("https://staff.west.example");
      const flagged = invite(
        "vic",
        { STAFFGATE_PUBLIC_URL: "https://staff.west.example" },
        "--public-url",
        "https://gate.west.example/staff/",
      );
      expect([flagged.code, flagged.stderr]).toEqual([0, ""]);
      expect(linkBase("vic@west.example")).toBe("https://gate.west.example/staff");
      // Unset: serve's own default, http://HOST:PORT.
      expect(invite("wes", { STAFFGATE_PUBLIC_URL: "", HOST: "", PORT: "4100" }).code).toBe(0);
      expect(linkBase("wes@west.example")).toBe("http://127.0.0.1:4100");

      const file = join(dir, "invite.csv");
      writeFileSync(file, "username,email,firstName,lastName,role\nxan,xan@west.example,Xan,Xu,Viewer\n");
      const imported = cli(["user", "import", "--tenant", "west", "--file", file], {
        STAFFGATE_PUBLIC_URL: "https://staff.west.example",
      });
      expect([imported.code, imported.stderr]).toEqual([0, ""]);
      expect(linkBase("xan@west.example")).toBe("https://staff.west.example");

      const refused = invite("yul", {}, "--public-url", "ftp://files.west.example");
      // A usage error naming the flag typed, not the variable it stands for.
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^staffgate user create: --public-url must be an http:\/\/ or https:\/\/ URL/,
      );
    }, 120_000); // ten CLI processes, each starting Node: generous for a loaded machine

    it("imports a CSV: a dry run writes nothing; a bad row writes nothing and exits 1, dry run or not; a good file is imported", async () => {
      const file = join(dir, "users.csv");
      writeFileSync(file, "username,email,firstName,lastName,role\nkai,kai@west.example,Kai,Keeper,Viewer\n");
      const dry = cli(["user", "import", "--tenant", "west", "--file", file, "--dry-run"]);
      expect([dry.code, dry.stdout]).toEqual([0, expect.stringContaining("line 2 kai@west.example: create")]);
      const bad = join(dir, "bad.csv");
      writeFileSync(bad, "username,email,firstName,lastName,role\nlee,lee@west.example,Lee,Lost,Nobody\n");
      // A dry run answers as the real run would: a script can gate the import on its exit code.
      const dryBad = cli(["user", "import", "--tenant", "west", "--file", bad, "--dry-run"]);
      expect(dryBad.code).toBe(1);
      expect(dryBad.stdout).toContain("dry run: 0 to create, 0 to update, 0 unchanged, 1 with errors");
      const refused = cli(["user", "import", "--tenant", "west", "--file", bad]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('line 2 lee@west.example: error role: no role named "Nobody"');
      expect(refused.stdout).toContain("nothing written");
      const done = cli(["user", "import", "--tenant", "west", "--file", file]);
      // Written: what was done, not what would be.
      expect([done.code, done.stdout]).toEqual([
        0,
        expect.stringContaining("imported: created 1, updated 0, unchanged 0\n"),
      ]);
      expect(done.stdout).not.toContain("to create");
      const users = await withDb((db) =>
        db.allTenants.selectFrom("users").select(["username", "status"]).execute(),
      );
      expect(users).toEqual(expect.arrayContaining([{ username: "kai", status: "invited" }]));
      expect(users.map((u) => u.username)).not.toContain("lee");
    });

    it("a dry run reports a missing or repeated email with every other problem of the row", () => {
      const file = join(dir, "many-errors.csv");
      writeFileSync(
        file,
        [
          "username,email,firstName,lastName,role",
          "mo,mo@west.example,Mo,Moss,Viewer",
          "mo2,MO@west.example,Mo,Again,Nobody",
          ",,No,Email,Ghost",
        ].join("\n"),
      );
      const r = cli(["user", "import", "--tenant", "west", "--file", file, "--dry-run"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(
        [
          "line 2 mo@west.example: create",
          'line 3 MO@west.example: error email: repeats line 2; role: no role named "Nobody"',
          'line 4 (no email): error email: is required: rows are matched on email; role: no role named "Ghost"',
          "dry run: 1 to create, 0 to update, 0 unchanged, 2 with errors",
          "",
        ].join("\n"),
      );
    });

    it("names the flag or variable the operator set: --role, STAFFGATE_USER_PASSWORD", () => {
      const role = cli([
        "user",
        "create",
        "--tenant",
        "west",
        "--username",
        "rae",
        "--email",
        "rae@west.example",
        "--first",
        "Rae",
        "--last",
        "Ray",
        "--role",
        "nobody",
      ]);
      expect([role.code, role.stderr]).toEqual([1, '--role: no role named "nobody"\n']);
      const ws = create({}, "--username", "rae", "--email", "rae@west.example", "--workspaces", "ward-99");
      expect([ws.code, ws.stderr]).toEqual([1, '--workspaces: no workspace "ward-99"\n']);
      // Every unknown workspace at once; `;` alone names none (none is written `none`).
      const two = create(
        {},
        "--username",
        "rae",
        "--email",
        "rae@west.example",
        "--workspaces",
        "ward-98;ward-99",
      );
      expect([two.code, two.stderr]).toEqual([
        1,
        '--workspaces: no workspace "ward-98"\n--workspaces: no workspace "ward-99"\n',
      ]);
      const bare = create({}, "--username", "rae", "--email", "rae@west.example", "--workspaces", ";");
      expect([bare.code, bare.stderr]).toEqual([
        1,
        expect.stringMatching(/^--workspaces: names no workspace/),
      ]);
      const weak = create(
        { STAFFGATE_USER_PASSWORD: "short" },
        "--username",
        "rae",
        "--email",
        "rae@west.example",
      );
      expect([weak.code, weak.stderr]).toEqual([
        1,
        "STAFFGATE_USER_PASSWORD: must be at least 15 characters\n",
      ]);
    });

    it("refuses a file that is not UTF-8 (exit 1, nothing written) and imports UTF-8 with a BOM as written", async () => {
      const latin1 = join(dir, "latin1.csv");
      const rows =
        "username,email,firstName,lastName,role\njose,jose@west.example,Jos\u00e9,Garc\u00eda,Viewer\n";
      writeFileSync(latin1, Buffer.from(rows, "latin1"));
      const refused = cli(["user", "import", "--tenant", "west", "--file", latin1]);
      expect([refused.code, refused.stdout]).toEqual([1, ""]);
      expect(refused.stderr).toContain(`${latin1} is not UTF-8: save it as "CSV UTF-8"`);
      expect(refused.stderr).toContain("Nothing was written.");
      const named = () =>
        withDb((db) =>
          db.allTenants
            .selectFrom("users")
            .select(["first_name", "last_name"])
            .where("username_key", "=", "jose")
            .execute(),
        );
      expect(await named()).toEqual([]);
      const utf8 = join(dir, "utf8.csv");
      writeFileSync(utf8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows, "utf8")]));
      const done = cli(["user", "import", "--tenant", "west", "--file", utf8]);
      expect([done.code, done.stderr]).toEqual([0, ""]);
      expect(await named()).toEqual([{ first_name: "Jos\u00e9", last_name: "Garc\u00eda" }]);
    });

    it("unlocks a locked administrator (the way back when no other administrator can), audited as the operator", async () => {
      const lockAdmin = (locked: 0 | 1) =>
        withDb((db) =>
          db.kysely
            .updateTable("users")
            .set({ locked, locked_until: null, failed_attempts: locked ? 5 : 0 })
            .where("username_key", "=", "root")
            .where("tenant_id", "=", db.kysely.selectFrom("tenants").select("id").where("slug", "=", "west"))
            .execute(),
        );
      await lockAdmin(1);
      const r = cli(["user", "unlock", "--tenant", "west", "--user", "ROOT"]);
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(r.stdout).toMatch(/^Unlocked root \(usr_/);
      const row = await withDb((db) =>
        db.allTenants
          .selectFrom("users")
          .select(["locked", "failed_attempts"])
          .where("username_key", "=", "root")
          .executeTakeFirst(),
      );
      expect(row).toEqual({ locked: 0, failed_attempts: 0 });
      const audit = await withDb((db) =>
        db.allTenants
          .selectFrom("audit_events")
          .select(["actor_type", "target_label"])
          .where("action", "=", "user.unlocked")
          .execute(),
      );
      expect(audit).toEqual([{ actor_type: "operator", target_label: "root" }]);
      expect(cli(["user", "unlock", "--tenant", "west", "--user", "nobody"]).code).toBe(1);
      expect(cli(["user", "unlock", "--tenant", "west"]).code).toBe(2);
    });
  },
);
