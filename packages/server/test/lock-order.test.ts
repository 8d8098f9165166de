/**
 * Transactions that lock the same rows in different orders must not deadlock (PostgreSQL answers
 * a deadlock by aborting one: a 500, and its work lost). Found by the concurrency audit: patient
 * grants locked the tenant row FOR UPDATE, which blocks the foreign-key check of any audit insert,
 * while audit-only transactions (a failed sign-in) hold the audit head first. Each round races
 * grants against wrong sign-ins; every answer must be what it would be alone, and every failed
 * sign-in counted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";
import { createUser, roleIdByName, userRow } from "./lifecycle-fixtures.ts";

const ROUNDS = 5;
const EACH = 10;

describe(`lock order under concurrency (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t?.close());

  it(`${ROUNDS} rounds of ${EACH} patient grants against ${EACH} wrong sign-ins: no 500, every failure counted`, async () => {
    const viewer = await roleIdByName(t, a, "Viewer");
    const grantee = (await createUser(t, a, { roleId: viewer })).user;
    const guessed = await Promise.all(
      Array.from({ length: EACH }, async () => (await createUser(t, a, { roleId: viewer })).user),
    );
    const statuses: Record<string, number[]> = { grant: [], signIn: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const grants = Array.from({ length: EACH }, async (_, i) => {
        const res = await a.admin.transport.raw("POST", `/api/v1/patients/P-${round}-${i}/access`, {
          body: { userId: grantee.id, reason: "lock order" },
        });
        statuses.grant!.push(res.status);
      });
      const signIns = guessed.map(async (u) => {
        const res = await t.anonymous.transport.raw("POST", "/api/v1/auth/login", {
          body: { tenant: a.slug, login: u.username, password: `wrong-${round}` },
        });
        statuses.signIn!.push(res.status);
      });
      await Promise.all([...grants, ...signIns]);
    }
    const tally = (list: number[]) =>
      Object.fromEntries([...new Set(list)].map((s) => [s, list.filter((x) => x === s).length]));
    expect({ grant: tally(statuses.grant!), signIn: tally(statuses.signIn!) }).toEqual({
      grant: { 201: ROUNDS * EACH },
      signIn: { 401: ROUNDS * EACH },
    });
    // Below the lockout threshold of 5 after 5 rounds: each user counted every one of them.
    for (const u of guessed) expect((await userRow(t, a, u.id))!.failed_attempts).toBe(ROUNDS);
  });
});
