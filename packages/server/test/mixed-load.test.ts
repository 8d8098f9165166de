/**
 * SECURITY.md §5.4's CI smoke, bounded: a few seconds of mixed traffic from 8 loops (token reads,
 * checks, user edits, patient grants and revocations, role edits, sign-ins) on one tenant. No
 * answer may be a 5xx (a SQLITE_BUSY or a deadlock would be), every acknowledged edit must be in
 * the audit exactly once, and the audit chain must verify afterwards. bench/soak.ts is the long
 * version, with latency, memory and event-loop figures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, roleIdByName } from "./lifecycle-fixtures.ts";

const LOOPS = 8;
const SECONDS = 4;

describe(`mixed load smoke (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t?.close());

  it(`${LOOPS} loops for ${SECONDS} s: no 5xx, every acknowledged edit audited once, the chain verifies`, {
    timeout: 60_000,
  }, async () => {
    const admin = await roleIdByName(t, a, "Administrator");
    const staff = await Promise.all(Array.from({ length: 6 }, () => createUser(t, a, { roleId: admin })));
    const role = await createRole(a, ["patients.read"]);
    const tokens = await Promise.all(
      staff.map(async ({ user }) => {
        const res = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { tenant: a.slug, login: user.username, password: CANARY_PASSWORD },
        });
        return res.json().token as string;
      }),
    );
    const statuses = new Map<number, number>();
    let edits = 0;
    let n = 0;
    const send = async (
      token: string,
      method: "GET" | "POST" | "PATCH" | "DELETE",
      url: string,
      body?: unknown,
    ) => {
      const res = await t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      return res.statusCode;
    };
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: LOOPS }, async (_, loop) => {
        const token = tokens[loop % tokens.length]!;
        const subject = staff[(loop + 1) % staff.length]!.user;
        while (Date.now() < end) {
          const x = Math.random();
          n += 1;
          if (x < 0.3) await send(token, "GET", "/api/v1/auth/me");
          else if (x < 0.45) await send(token, "GET", "/api/v1/users?limit=20");
          else if (x < 0.65)
            await send(token, "POST", "/api/v1/check", {
              userId: subject.id,
              permission: "patients.read",
              patientRef: `pat-${n % 7}`,
            });
          else if (x < 0.8) {
            if ((await send(token, "PATCH", `/api/v1/users/${subject.id}`, { title: `T${n}` })) === 200)
              edits += 1;
          } else if (x < 0.9) {
            const ref = `pat-${n % 7}`;
            await send(token, "POST", `/api/v1/patients/${ref}/access`, {
              userId: subject.id,
              reason: "smoke",
            });
            await send(token, "DELETE", `/api/v1/patients/${ref}/access/${subject.id}`);
          } else if (x < 0.95)
            await send(token, "PATCH", `/api/v1/roles/${role}`, {
              permissions: n % 2 ? ["patients.read"] : [],
            });
          else {
            const res = await t.app.inject({
              method: "POST",
              url: "/api/v1/auth/login",
              payload: { tenant: a.slug, login: subject.username, password: CANARY_PASSWORD },
            });
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          }
        }
      }),
    );
    const failures = [...statuses].filter(([status]) => status >= 500);
    expect(failures).toEqual([]);
    expect(edits).toBeGreaterThan(0);
    const updated = await t.db.kysely
      .selectFrom("audit_events")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("tenant_id", "=", a.id)
      .where("action", "=", "user.updated")
      .executeTakeFirstOrThrow();
    expect(Number(updated.n)).toBe(edits);
    expect((await a.admin.audit.verify()).ok).toBe(true);
  });
});
