/**
 * who-can pages like every list of API.md: `limit` (default 50, max 200) and `cursor` → `nextCursor`,
 * given as `?limit=` / `?cursor=` or in the body.
 */
import type { WhoCanResult } from "@staffgate/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createRole } from "./lifecycle-fixtures.ts";

describe(`who-can paging (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  /** The admin plus 51 readers: one more than a default page. */
  const READERS = 51;

  const whoCan = async (url: string, body: Record<string, unknown>) => {
    const res = await a.admin.transport.raw("POST", url, { body: { permission: "patients.read", ...body } });
    return { status: res.status, json: (await res.json()) as WhoCanResult & { errors?: { path: string }[] } };
  };

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    const roleId = await createRole(a, ["patients.read"]);
    for (let i = 0; i < READERS; i++) {
      await a.admin.users.create({
        username: `reader${String(i).padStart(2, "0")}`,
        email: `reader${i}@${a.slug}.example`,
        firstName: "Rea",
        lastName: `Der${i}`,
        roleId,
        password: CANARY_PASSWORD,
        mustChangePassword: false,
      } as never);
    }
  });
  afterAll(() => t.close());

  it("answers 50 by default, then the rest after nextCursor", async () => {
    const first = await whoCan("/api/v1/who-can", {});
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(50);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const rest = await whoCan("/api/v1/who-can", { cursor: first.json.nextCursor });
    expect(rest.json.items).toHaveLength(READERS + 1 - 50);
    expect(rest.json.nextCursor).toBeNull();
  });

  it("takes ?limit= and ?cursor= in the query string, as every list does", async () => {
    const seen: string[] = [];
    let url = "/api/v1/who-can?limit=20";
    for (let page = 0; page < 10; page++) {
      const res = await whoCan(url, {});
      expect(res.status).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(20);
      seen.push(...res.json.items.map((i) => i.username));
      if (!res.json.nextCursor) break;
      url = `/api/v1/who-can?limit=20&cursor=${encodeURIComponent(res.json.nextCursor)}`;
    }
    const all = await whoCan("/api/v1/who-can", { limit: 200 });
    expect(seen).toEqual(all.json.items.map((i) => i.username));
    expect(seen).toHaveLength(READERS + 1);
  });

  it("orders usernames as the users list does, whatever their case, page after page", async () => {
    const roleId = await createRole(a, ["patients.read"]);
    // Past U+FFFF too: UTF-16 puts 𠀀 (a surrogate pair) before 﨎 (U+FA0E), code points after.
    for (const [i, username] of ["Carl", "BOB2", "ada", "\uFA0Ex", "\u{20000}x"].entries()) {
      await a.admin.users.create({
        username,
        email: `case${i}@${a.slug}.example`,
        firstName: username,
        lastName: "Case",
        roleId,
        password: CANARY_PASSWORD,
        mustChangePassword: false,
      } as never);
    }
    const listed: string[] = [];
    for (let cursor: string | undefined; ; ) {
      const page = await a.admin.users.list({ sort: "username", limit: 200, ...(cursor ? { cursor } : {}) });
      listed.push(...page.items.map((u) => u.username));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const seen: string[] = [];
    for (let cursor: string | null = null; ; ) {
      const res = await whoCan("/api/v1/who-can", { limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...res.json.items.map((i) => i.username));
      cursor = res.json.nextCursor;
      if (!cursor) break;
    }
    // "Carl" comes after "BOB2" and "bob…", not before "admin" (code-unit order put capitals first).
    expect(seen).toEqual(listed.filter((u) => seen.includes(u)));
    expect(seen.indexOf("ada")).toBeLessThan(seen.indexOf("admin"));
    expect(seen.indexOf("BOB2")).toBeLessThan(seen.indexOf("Carl"));
    expect(seen.indexOf("Carl")).toBeGreaterThan(seen.indexOf("admin"));
    expect(seen.indexOf("\uFA0Ex")).toBeLessThan(seen.indexOf("\u{20000}x"));
  });

  it("refuses a query limit out of range, and two different limits, naming the field", async () => {
    for (const url of ["/api/v1/who-can?limit=0", "/api/v1/who-can?limit=201", "/api/v1/who-can?limit=x"]) {
      const res = await whoCan(url, {});
      expect(res.status, url).toBe(400);
      expect(res.json.errors?.map((e) => e.path)).toEqual(["query.limit"]);
    }
    const both = await whoCan("/api/v1/who-can?limit=5", { limit: 6 });
    expect(both.status).toBe(400);
    expect(both.json.errors?.map((e) => e.path)).toEqual(["query.limit"]);
    expect((await whoCan("/api/v1/who-can?limit=5", { limit: 5 })).json.items).toHaveLength(5);
  });
});
