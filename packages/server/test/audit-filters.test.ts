/**
 * The filters an inspector relies on: `actorId` is one person whatever their username was, `actor`
 * is the username at the time of each event, and the date filters answer exactly on a trail whose
 * times are out of seq order (audit.store.ts bounds the walk by the range's seq).
 */
import type { AuditEvent } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAll } from "./audit.helpers.ts";
import {
  CANARY_PASSWORD,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";

const jsonLines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent);

/** Every page of the list, `limit` events at a time, so that each page after the first has a cursor. */
async function listInPages(
  client: Staffgate,
  query: Parameters<Staffgate["audit"]["list"]>[0],
  limit: number,
) {
  const out: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.audit.list({ ...query, limit, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

describe(`audit filters (${TEST_DB})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set("2026-03-01T08:00:00.000Z");
  });
  afterAll(() => t.close());

  describe("by the acting person and by the username at the time", () => {
    let a: TestTenant;
    let nina: string;
    let other: string;
    beforeAll(async () => {
      a = await t.createTenant();
      const viewer = (await a.admin.roles.list()).items.find((r) => r.name === "Viewer")!;
      const person = (username: string, email: string) =>
        a.admin.users.create({
          username,
          email,
          firstName: "Nina",
          lastName: "Berg",
          roleId: viewer.id,
          password: CANARY_PASSWORD,
          mustChangePassword: false,
        });
      // Nina acts under her first username, is renamed and acts again; then someone else takes the
      // username she freed and acts under it.
      nina = (await person("Nina", "nina@example.test")).id;
      await t.signIn(a.slug, "Nina");
      await a.admin.users.update(nina, { username: "nina.berg" });
      await t.signIn(a.slug, "nina.berg");
      other = (await person("nina", "another.nina@example.test")).id;
      await t.signIn(a.slug, "nina");
    });

    const signIns = (events: readonly AuditEvent[]) =>
      events.filter((e) => e.action === "auth.login.succeeded").map((e) => [e.actor.id, e.actor.username]);

    it("actorId finds a renamed user's events under both names, and not those of who took the freed name", async () => {
      const hers = await listAll(a.admin, { actorId: nina });
      expect(hers.length).toBeGreaterThanOrEqual(2);
      expect(hers.every((e) => e.actor.id === nina)).toBe(true);
      expect(signIns(hers)).toEqual([
        [nina, "nina.berg"],
        [nina, "Nina"],
      ]);
      expect(await listAll(a.admin, { actorId: other })).toEqual(
        (await listAll(a.admin)).filter((e) => e.actor.id === other),
      );
      // Exact: another tenant's id, a prefix or another case finds nothing.
      expect(await listAll(a.admin, { actorId: nina.slice(0, -1) })).toEqual([]);
      expect(await listAll(a.admin, { actorId: nina.toUpperCase() })).toEqual([]);
      expect(await listAll(a.admin, { actorId: a.adminUserId, action: "auth.login.succeeded" })).toHaveLength(
        1,
      );
    });

    it("actor keeps its meaning: the username at the time of each event, in any case", async () => {
      // Both people who were "nina" when they acted; Nina's later events are under her new name.
      expect(signIns(await listAll(a.admin, { actor: "NINA" }))).toEqual([
        [other, "nina"],
        [nina, "Nina"],
      ]);
      expect(signIns(await listAll(a.admin, { actor: "Nina.Berg" }))).toEqual([[nina, "nina.berg"]]);
      // Together they narrow: the person, under that name.
      expect(signIns(await listAll(a.admin, { actor: "nina", actorId: nina }))).toEqual([[nina, "Nina"]]);
    });

    it("exports by actorId, recording it in the audit.exported event", async () => {
      const lines = jsonLines(await a.admin.audit.export({ format: "jsonl", actorId: nina }));
      expect(lines.map((e) => e.seq)).toEqual(
        (await listAll(a.admin, { actorId: nina })).map((e) => e.seq).reverse(),
      );
      const [recorded] = (await a.admin.audit.list({ action: "audit.exported", limit: 1 })).items;
      expect(recorded).toMatchObject({
        actor: { id: a.adminUserId },
        changes: { format: { after: "jsonl" }, actorId: { after: nina } },
      });
      const csv = await a.admin.audit.export({ format: "csv", actorId: other, action: "auth.*" });
      expect(csv.trimEnd().split("\r\n")).toHaveLength(2);
    });

    it("refuses an actorId longer than an id can be, naming it", async () => {
      const p = await problemOf(() => a.admin.audit.list({ actorId: "x".repeat(121) }));
      expect([p.status, p.errors.map((e) => e.path)]).toEqual([400, ["query.actorId"]]);
    });
  });

  describe("by date, on a trail whose times are out of seq order", () => {
    let c: TestTenant;
    let reader: Staffgate;
    beforeAll(async () => {
      c = await t.createTenant();
      // The clock moves backwards and forwards between changes (instances' clocks disagree, a clock
      // is set back): seq orders the events, `at` does not.
      const times = [
        "2026-05-10T12:00:00.000Z",
        "2026-03-15T12:00:00.000Z",
        "2026-06-01T12:00:00.000Z",
        "2026-03-31T23:59:59.999Z",
        "2026-04-05T12:00:00.000Z",
        "2026-02-01T12:00:00.000Z",
        "2026-03-01T00:00:00.000Z",
        "2026-07-01T12:00:00.000Z",
        "2026-03-20T12:00:00.000Z",
        "2026-02-28T23:59:59.999Z",
      ];
      for (const [i, at] of times.entries()) {
        t.clock.set(at);
        // Signed in at that time: a session does not outlive months of the clock's moves.
        const admin = await t.signIn(c.slug, "admin");
        await admin.workspaces.create({ slug: `d-${i}`, name: `Dated ${i}` });
      }
      t.clock.set("2026-08-01T08:00:00.000Z");
      reader = await t.signIn(c.slug, "admin");
    });

    const ranges: { from?: string; to?: string }[] = [
      { from: "2026-03-01", to: "2026-03-31" },
      { from: "2026-03-01T00:00:00.001Z", to: "2026-03-31T23:59:59.998Z" },
      { from: "2026-04-01" },
      { to: "2026-03-15T12:00:00.000Z" },
      { from: "2026-06-01T12:00:00.000Z", to: "2026-06-01T12:00:00.000Z" },
      { from: "2026-02-01", to: "2026-07-31" },
      { from: "2025-01-01", to: "2025-12-31" },
    ];

    /** What the filter must answer: the events whose `at` is in the range, read without the filter. */
    const inRange = (events: readonly AuditEvent[], r: { from?: string; to?: string }) => {
      const from = r.from ? Date.parse(r.from) : -Infinity;
      const to = r.to ? (r.to.length === 10 ? Date.parse(r.to) + 86_399_999 : Date.parse(r.to)) : Infinity;
      return events.filter((e) => Date.parse(e.at) >= from && Date.parse(e.at) <= to);
    };

    it("lists the same events as the dates alone select, newest seq first, in pages of any size", async () => {
      const all = await listAll(reader);
      for (const r of ranges) {
        const expected = inRange(all, r).map((e) => e.seq);
        expect(
          (await listAll(reader, r)).map((e) => e.seq),
          JSON.stringify(r),
        ).toEqual(expected);
        expect(
          (await listInPages(reader, r, 1)).map((e) => e.seq),
          JSON.stringify(r),
        ).toEqual(expected);
        expect(
          (await listInPages(reader, { ...r, action: "workspace.created" }, 2)).map((e) => e.seq),
        ).toEqual(
          inRange(all, r)
            .filter((e) => e.action === "workspace.created")
            .map((e) => e.seq),
        );
      }
      // March holds events written before and after later-dated ones, at both of its edges.
      expect(
        (await listAll(reader, { from: "2026-03-01", to: "2026-03-31", action: "workspace.created" })).map(
          (e) => e.target?.label,
        ),
      ).toEqual(["d-8", "d-6", "d-3", "d-1"]);
    });

    it("exports the same events in seq order, the bounds computed once for the whole export", async () => {
      for (const r of ranges) {
        const lines = jsonLines(await reader.audit.export({ format: "jsonl", ...r })).filter(
          (e) => e.action !== "audit.exported",
        );
        const all = (await listAll(reader)).filter((e) => e.action !== "audit.exported");
        expect(
          lines.map((e) => e.seq),
          JSON.stringify(r),
        ).toEqual(
          inRange(all, r)
            .map((e) => e.seq)
            .reverse(),
        );
      }
    });
  });
});
