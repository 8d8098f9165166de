/**
 * The practice's profile (GET/PATCH /api/v1/tenant): an administrator renames the practice and
 * changes the time zone its emails give times in; everyone signed in reads it; each change is
 * audited, validated and versioned, and the new name is a context word of the password rule at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createUser, roleIdByName } from "./lifecycle-fixtures.ts";

describe(`the practice's profile (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant({ timeZone: "Europe/Oslo" });
  });
  afterAll(() => t?.close());

  it("is read by anyone signed in, with an ETag, and only in its own tenant", async () => {
    const viewer = await createUser(t, a, { roleId: await roleIdByName(t, a, "Viewer") });
    const res = await viewer.client.transport.raw("GET", "/api/v1/tenant");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { version: number };
    expect(body).toEqual({
      id: a.id,
      slug: a.slug,
      name: `Tenant ${a.slug}`,
      timeZone: "UTC",
      version: body.version,
    });
    expect(res.headers.get("etag")).toBe(`"${body.version}"`);
    expect((await b.admin.tenant.get()).timeZone).toBe("Europe/Oslo");
  });

  it("is renamed and moved to another time zone by settings.manage, audited, and seen at once", async () => {
    const before = await a.admin.tenant.get();
    const after = await a.admin.tenant.update(
      { name: "Harbourview Clinic", timeZone: "America/Halifax" },
      { ifMatch: before.version },
    );
    expect(after).toEqual({
      ...before,
      name: "Harbourview Clinic",
      timeZone: "America/Halifax",
      version: before.version + 1,
    });
    expect((await a.admin.auth.me()).tenant.name).toBe("Harbourview Clinic");
    // The settings are the same row: their version moved with it.
    expect((await a.admin.settings.get()).version).toBe(after.version);
    const events = (await auditOf(t, a, a.id)).filter((e) => e.action === "tenant.updated");
    expect(events.map((e) => e.changes)).toEqual([
      {
        name: { before: before.name, after: "Harbourview Clinic" },
        timeZone: { before: "UTC", after: "America/Halifax" },
      },
    ]);
    // A patch that changes nothing writes nothing.
    expect(await a.admin.tenant.update({ name: "Harbourview Clinic" })).toEqual(after);
    expect((await auditOf(t, a, a.id)).filter((e) => e.action === "tenant.updated")).toHaveLength(1);
    // The other tenant is untouched.
    expect((await b.admin.tenant.get()).name).toBe(`Tenant ${b.slug}`);
  });

  it("stores a time zone as the IANA database spells it, whatever case it was typed in", async () => {
    const typed = await a.admin.tenant.update({ timeZone: "europe/helsinki" });
    expect(typed.timeZone).toBe("Europe/Helsinki");
    expect((await a.admin.tenant.get()).timeZone).toBe("Europe/Helsinki");
    const created = await t.createTenant({ timeZone: "america/new_york" });
    expect((await created.admin.tenant.get()).timeZone).toBe("America/New_York");
    // A current name is kept (the runtime's data would answer the old alias: Asia/Calcutta).
    for (const zone of ["Asia/Kolkata", "Europe/Kyiv"]) {
      expect((await a.admin.tenant.update({ timeZone: zone })).timeZone).toBe(zone);
    }
  });

  it("gives emails' times in the new time zone, and refuses passwords built from the new name", async () => {
    const { user, client } = await createUser(t, a);
    await a.admin.tenant.update({ name: "Lindenbrook Surgery", timeZone: "Asia/Tokyo" });
    const p = await problemOf(() =>
      client.credentials.changePassword({
        currentPassword: CANARY_PASSWORD,
        newPassword: "lindenbrook-surgery-1999",
      }),
    );
    expect([p.status, p.problem.passwordProblem, p.errors[0]?.path]).toEqual([400, "CONTEXT", "newPassword"]);
    await client.credentials.changePassword({
      currentPassword: CANARY_PASSWORD,
      newPassword: "quiet-orchard-lantern-42",
    });
    const mail = await t.db.kysely
      .selectFrom("outbox")
      .select(["subject", "body"])
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", user.email)
      .where("kind", "=", "auth.password.changed")
      .executeTakeFirstOrThrow();
    expect(mail.subject).toBe("Your password for Lindenbrook Surgery was changed");
    expect(mail.body).toMatch(/When: .* Asia\/Tokyo \(/);
  });

  it("refuses bad input naming the field, a stale version, and anyone without settings.manage, changing nothing", async () => {
    const before = await a.admin.tenant.get();
    const cases: [Record<string, unknown>, string][] = [
      [{ timeZone: "Mars/Olympus_Mons" }, "timeZone"],
      [{ name: "" }, "name"],
      [{ name: "x".repeat(121) }, "name"],
      [{ name: 7 }, "name"],
      [{ slug: "renamed" }, "slug"],
    ];
    for (const [body, path] of cases) {
      const p = await problemOf(() => a.admin.tenant.update(body as never));
      expect([p.status, p.code, p.errors.map((e) => e.path)], JSON.stringify(body)).toEqual([
        400,
        "VALIDATION_FAILED",
        [path],
      ]);
    }
    const stale = await problemOf(() =>
      a.admin.tenant.update({ name: "Stale" }, { ifMatch: before.version - 1 }),
    );
    expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
    const viewer = await createUser(t, a, { roleId: await roleIdByName(t, a, "Viewer") });
    const denied = await problemOf(() => viewer.client.tenant.update({ name: "Taken over" }));
    expect([denied.status, denied.code]).toEqual([403, "FORBIDDEN"]);
    expect(await a.admin.tenant.get()).toEqual(before);
  });
});
