/**
 * SECURITY.md 62: the hashing limit "queues or sheds with 429/503". A sign-in flood past the
 * hashing queue is shed with 503 SERVICE_BUSY and Retry-After, counts no failure on the account,
 * and the sign-ins that were served answer as usual.
 */
import { buildApp } from "@staffgate/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, OPERATOR_TOKEN, TEST_DB } from "./harness.ts";

// The queue is the server's, whatever the database: run once, on SQLite in memory.
describe.skipIf(TEST_DB === "postgres")("a sign-in flood past the hashing queue", () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    app = await buildApp({
      databaseUrl: ":memory:",
      consoleDir: false,
      operatorToken: OPERATOR_TOKEN,
      hasher: { memoryCost: 1024, timeCost: 1, concurrency: 1, maxQueued: 1 },
    });
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/tenants",
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
      payload: {
        slug: "flood",
        name: "Flood",
        admin: {
          username: "admin",
          email: "admin@flood.example",
          firstName: "A",
          lastName: "B",
          password: CANARY_PASSWORD,
        },
      },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(() => app?.close());

  it("sheds with 503 SERVICE_BUSY and Retry-After; the served ones answer as usual; a shed attempt counts nothing", async () => {
    const signIn = (password: string) =>
      app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { tenant: "flood", login: "admin", password },
      });
    const token = (await signIn(CANARY_PASSWORD)).json().token as string;
    const raised = await app.inject({
      method: "PATCH",
      url: "/api/v1/settings",
      headers: { authorization: `Bearer ${token}` },
      payload: { lockoutThreshold: 100 },
    });
    expect(raised.statusCode).toBe(200);

    const answers = await Promise.all(Array.from({ length: 24 }, () => signIn(`${CANARY_PASSWORD}-no`)));
    const shed = answers.filter((r) => r.statusCode === 503);
    const served = answers.filter((r) => r.statusCode === 401);
    expect(shed.length).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThan(0);
    expect(shed.length + served.length).toBe(24);
    for (const r of shed) {
      expect(r.json()).toMatchObject({ status: 503, code: "SERVICE_BUSY" });
      expect(r.headers["retry-after"]).toBe("1");
    }
    // The account counted exactly the wrong passwords that were verified.
    const row = await app.core.deps.db.allTenants
      .selectFrom("users")
      .select("failed_attempts")
      .where("username", "=", "admin")
      .executeTakeFirstOrThrow();
    expect(row.failed_attempts).toBe(served.length);
    expect((await signIn(CANARY_PASSWORD)).statusCode).toBe(200);
  });
});
