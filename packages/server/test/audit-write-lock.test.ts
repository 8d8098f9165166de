/**
 * The audit chain's head row is locked from the moment an event takes its number until the
 * commit, and every audited write of the tenant waits on it. Events are therefore numbered at the
 * end of the use case's work (audit-writer.ts): a long change holds the tenant's sign-ins no longer
 * than its own commit takes.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendAudit,
  auditKeep,
  auditMark,
  discardAuditSince,
  flushAudit,
} from "../../core/src/audit/audit-writer.ts";
import { noRequest } from "../../core/src/shared/context.ts";
import { inTenantTx, inTx, type Trx } from "../../core/src/shared/tx.ts";
import { listAll } from "./audit.helpers.ts";
import { CANARY_PASSWORD, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";

describe(`audit writes and the chain's lock (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t.close());

  // SQLite runs one write transaction at a time (a sign-in waits for any open one), so these only
  // mean something where writers run side by side.
  it.skipIf(TEST_DB !== "postgres")(
    "signs a user in while an audited change of the same tenant is still open, and chains both",
    async () => {
      const deps = t.app.core.deps;
      const ctx = {
        ...noRequest,
        tenantId: a.id,
        actor: { type: "system", id: null, label: "test" },
      } as const;
      const held = gate();
      const appended = gate();
      const change = inTenantTx(deps, a.id, async (trx) => {
        await appendAudit(deps, trx, ctx, { action: "test.long_change" });
        appended.open();
        await held.passed;
      });
      await appended.passed;
      // Before: the sign-in's audit event waited for the head row until the change committed.
      const signIn = t.signIn(a.slug, a.adminUsername);
      const outcome = await within5s(signIn);
      held.open();
      await change;
      await signIn;
      expect(outcome).toBe("done");
      const actions = (await listAll(a.admin)).sort((x, y) => x.seq - y.seq).map((e) => e.action);
      // The change committed last, so its event comes after the sign-in's; the chain is whole.
      expect(actions.lastIndexOf("auth.login.succeeded")).toBeGreaterThan(0);
      expect(actions.lastIndexOf("test.long_change")).toBeGreaterThan(
        actions.lastIndexOf("auth.login.succeeded"),
      );
      expect(await a.admin.audit.verify()).toMatchObject({ ok: true });
    },
  );

  it.skipIf(TEST_DB !== "postgres")(
    "signs in to another tenant from the same address while one tenant's chain is held (a purge holds it)",
    async () => {
      const b = await t.createTenant();
      const purge = await holdChain(t, a.id);
      // Waits for the chain (its event is written before its commit), but must not hold the
      // sign-in throttle's per-address row meanwhile: every tenant's sign-ins count on it.
      const intoA = t.signIn(a.slug, a.adminUsername);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const outcome = await within5s(t.signIn(b.slug, b.adminUsername));
      await purge.release();
      await intoA;
      expect(outcome).toBe("done");
    },
  );

  it.skipIf(TEST_DB !== "postgres")(
    "signs in to one tenant while another's chain is held, though the client presents a session of the other",
    async () => {
      // The tenant signed into sorts first, so one transaction writing both tenants' events would
      // take its chain first and keep it while waiting for the other's (review, 2026-12-07).
      const [x, y] = [await t.createTenant(), await t.createTenant()];
      const [lo, hi] = x.id < y.id ? [x, y] : [y, x];
      const { token: hiToken } = await t.anonymous.auth.login({
        tenant: hi.slug,
        login: hi.adminUsername,
        password: hi.password,
      });
      const viewer = (await lo.admin.roles.list({ q: "Viewer" })).items[0]!;
      await lo.admin.users.create({
        username: "bob",
        email: "bob@lo.example",
        firstName: "Bob",
        lastName: "Other",
        roleId: viewer.id,
        password: CANARY_PASSWORD,
      });
      const purge = await holdChain(t, hi.id);
      // The browser still holds the session of `hi`: signing in to `lo` ends it (audited in hi).
      const switching = t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        headers: { authorization: `Bearer ${hiToken}` },
        payload: { tenant: lo.slug, login: lo.adminUsername, password: lo.password },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const outcome = await within5s(t.signIn(lo.slug, "bob", CANARY_PASSWORD));
      await purge.release();
      expect((await switching).statusCode).toBe(200);
      expect(outcome).toBe("done");
      // The presented session did end, and hi's trail says so.
      const ended = await t.app.inject({
        method: "GET",
        url: "/api/v1/auth/me",
        headers: { authorization: `Bearer ${hiToken}` },
      });
      expect(ended.statusCode).toBe(401);
      const logout = (await hi.admin.audit.list({ action: "auth.logout" })).items[0];
      expect(logout?.changes).toMatchObject({ cause: { after: "a new sign-in from the same client" } });
    },
  );

  it("ends the presented session only with a sign-in that succeeds, and fails the sign-in if it cannot", async () => {
    const [lo, hi] = [await t.createTenant(), await t.createTenant()];
    const me = (token: string) =>
      t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { authorization: `Bearer ${token}` } });
    const login = (token: string, password = lo.password) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        headers: { authorization: `Bearer ${token}` },
        payload: { tenant: lo.slug, login: lo.adminUsername, password },
      });
    const { token } = await t.anonymous.auth.login({
      tenant: hi.slug,
      login: hi.adminUsername,
      password: hi.password,
    });
    expect((await login(token, "not the password at all")).statusCode).toBe(401);
    expect((await me(token)).statusCode).toBe(200);
    // Ending it cannot be recorded (the other tenant's audit refuses rows): no 200 that leaves
    // the presented session working.
    const refuse =
      TEST_DB === "postgres"
        ? `ALTER TABLE audit_events ADD CONSTRAINT test_refuse CHECK (tenant_id <> '${hi.id}') NOT VALID`
        : `CREATE TRIGGER test_refuse BEFORE INSERT ON audit_events WHEN NEW.tenant_id = '${hi.id}' BEGIN SELECT RAISE(ABORT, 'refused'); END`;
    await sql.raw(refuse).execute(t.db.kysely);
    try {
      expect((await login(token)).statusCode).toBe(500);
      expect((await me(token)).statusCode).toBe(200);
    } finally {
      await sql
        .raw(
          TEST_DB === "postgres"
            ? "ALTER TABLE audit_events DROP CONSTRAINT test_refuse"
            : "DROP TRIGGER test_refuse",
        )
        .execute(t.db.kysely);
    }
    expect((await login(token)).statusCode).toBe(200);
    expect((await me(token)).statusCode).toBe(401);
  });

  it("numbers the events of one change in the order they were recorded, consecutively, at one time", async () => {
    const csv = [
      "email,firstName,lastName,role",
      "ann@x.example,Ann,One,Viewer",
      "bob@x.example,Bob,Two,Viewer",
    ].join("\n");
    await a.admin.users.import({ csv });
    const events = (await listAll(a.admin)).sort((x, y) => x.seq - y.seq);
    const mine = events.filter((e) => ["user.created", "users.imported"].includes(e.action)).slice(-3);
    expect(mine.map((e) => [e.action, e.target?.label ?? null])).toEqual([
      ["user.created", "ann@x.example"],
      ["user.created", "bob@x.example"],
      ["users.imported", null],
    ]);
    expect(mine.map((e) => e.seq - mine[0]!.seq)).toEqual([0, 1, 2]);
    expect(new Set(mine.map((e) => e.at)).size).toBe(1);
    expect(await a.admin.audit.verify()).toMatchObject({ ok: true });
  });

  it("refuses an event once the transaction's work is over, which nothing would write", async () => {
    const deps = t.app.core.deps;
    const ctx = { ...noRequest, tenantId: a.id, actor: { type: "system", id: null, label: "test" } } as const;
    let kept: Trx | undefined;
    await inTx(deps, async (trx) => {
      kept = trx;
    });
    await expect(appendAudit(deps, kept!, ctx, { action: "test.too_late" })).rejects.toThrow(
      /use-case transaction/,
    );
    expect((await listAll(a.admin)).some((e) => e.action === "test.too_late")).toBe(false);
  });

  it("refuses to write the queue inside a savepoint, where a rollback would take earlier events with it", async () => {
    const deps = t.app.core.deps;
    const ctx = { ...noRequest, tenantId: a.id, actor: { type: "system", id: null, label: "test" } } as const;
    await inTx(deps, async (trx) => {
      await appendAudit(deps, trx, ctx, { action: "test.before_savepoint" });
      const mark = auditMark(trx);
      await appendAudit(deps, trx, ctx, { action: "test.in_savepoint" });
      await expect(flushAudit(trx)).rejects.toThrow(/savepoint/);
      discardAuditSince(trx, mark);
      // Once the savepoint is over, the flush writes what was kept.
      const kept = auditMark(trx);
      auditKeep(trx);
      expect(kept).toBe(1);
      expect(await flushAudit(trx)).toBeGreaterThan(0);
    });
    const actions = (await listAll(a.admin)).map((e) => e.action);
    expect(actions).toContain("test.before_savepoint");
    expect(actions).not.toContain("test.in_savepoint");
  });
});

/** A promise and the function that resolves it. */
function gate() {
  let open!: () => void;
  const passed = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { passed, open };
}

/** "done" when `work` settles within 5 s, else "waited" (it is not cancelled). */
async function within5s(work: Promise<unknown>): Promise<"done" | "waited"> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<"waited">((resolve) => {
    timer = setTimeout(() => resolve("waited"), 5_000);
  });
  try {
    return await Promise.race([work.then(() => "done" as const), waited]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Takes a tenant's chain as audit-purge.ts does first (a no-op update of its head row, whose lock
 * a purge keeps for its whole walk) and keeps it until release().
 */
async function holdChain(t: TestApp, tenantId: string) {
  const held = gate();
  const locked = gate();
  const purge = t.db.kysely.transaction().execute(async (trx) => {
    await trx
      .updateTable("audit_heads")
      .set((eb) => ({ purged_through_seq: eb.ref("purged_through_seq") }))
      .where("tenant_id", "=", tenantId)
      .execute();
    locked.open();
    await held.passed;
  });
  await locked.passed;
  return {
    release: async () => {
      held.open();
      await purge;
    },
  };
}
