/**
 * Tenant isolation as a model-based property (SECURITY.md §5.1): random sequences of commands by
 * the administrators of two tenants, each command's target taken from EITHER tenant (ids harvested
 * from the other one) or made up. The model is a plain list of who owns what; after every command:
 *  1. a foreign target answers exactly like a missing one (same status and problem body) and the
 *     owner's tenant is unchanged (its audit trail's length, the object's version);
 *  2. lists, the audit trail, patient access and decisions show the actor's tenant only: no id
 *     and no canary string (`canary-<tenant>-…`, seeded in names and titles) of the other;
 *  3. a same-tenant target behaves normally (200, and a change is audited once).
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";
import { roleIdByName } from "./lifecycle-fixtures.ts";

type Kind = "user" | "role" | "workspace" | "token";
interface Owned {
  readonly kind: Kind;
  readonly tenant: 0 | 1;
  readonly id: string;
  readonly canary: string;
}

const PATH: Record<Kind, string> = {
  user: "/api/v1/users",
  role: "/api/v1/roles",
  workspace: "/api/v1/workspaces",
  token: "/api/v1/api-tokens",
};

type Op =
  | { op: "create"; tenant: 0 | 1; kind: Kind }
  | { op: "read"; actor: 0 | 1; pick: number; made: boolean }
  | { op: "change"; actor: 0 | 1; pick: number; made: boolean }
  | { op: "grant"; actor: 0 | 1; pick: number }
  | { op: "list"; actor: 0 | 1; what: "users" | "roles" | "workspaces" | "api-tokens" | "audit" | "patients" }
  | { op: "check"; actor: 0 | 1; pick: number };

const tenantArb = fc.constantFrom<0 | 1>(0, 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("create" as const),
    tenant: tenantArb,
    kind: fc.constantFrom<Kind>("user", "role", "workspace", "token"),
  }),
  fc.record({ op: fc.constant("read" as const), actor: tenantArb, pick: fc.nat(), made: fc.boolean() }),
  fc.record({ op: fc.constant("change" as const), actor: tenantArb, pick: fc.nat(), made: fc.boolean() }),
  fc.record({ op: fc.constant("grant" as const), actor: tenantArb, pick: fc.nat() }),
  fc.record({
    op: fc.constant("list" as const),
    actor: tenantArb,
    what: fc.constantFrom("users", "roles", "workspaces", "api-tokens", "audit", "patients"),
  }),
  fc.record({ op: fc.constant("check" as const), actor: tenantArb, pick: fc.nat() }),
);

/** A problem body without what differs per request. */
function problemShape(body: string): unknown {
  const { instance: _i, requestId: _r, ...rest } = JSON.parse(body) as Record<string, unknown>;
  return rest;
}

describe(`tenant isolation, model-based (${TEST_DB})`, () => {
  let t: TestApp;
  const tenants: TestTenant[] = [];
  const tokens: string[] = [];
  const viewer: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    for (let i = 0; i < 2; i++) {
      const tenant = await t.createTenant();
      tenants.push(tenant);
      viewer.push(await roleIdByName(t, tenant, "Viewer"));
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { tenant: tenant.slug, login: "admin", password: tenant.password },
      });
      tokens.push(res.json().token as string);
    }
  });
  afterAll(() => t?.close());

  const send = (actor: 0 | 1, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[actor]}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const auditLength = async (tenant: 0 | 1) =>
    Number(
      (
        await t.db.kysely
          .selectFrom("audit_events")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("tenant_id", "=", tenants[tenant]!.id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("never lets one tenant see or change the other's objects, whatever the sequence", {
    timeout: 240_000,
  }, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 6, maxLength: 20 }), async (ops) => {
        const owned: Owned[] = [];
        const revoked = new Set<string>();
        /** Patient references granted, by tenant. */
        const patients: string[][] = [[], []];
        const canaryOf = (tenant: 0 | 1) => `canary-${tenants[tenant]!.slug}-${++n}`;
        const otherCanaries = (actor: 0 | 1) => owned.filter((o) => o.tenant !== actor).map((o) => o.canary);
        const pickOwned = (pick: number) => (owned.length === 0 ? undefined : owned[pick % owned.length]);

        for (const step of ops) {
          if (step.op === "create") {
            const canary = canaryOf(step.tenant);
            const suffix = randomBytes(4).toString("hex");
            const body: Record<Kind, unknown> = {
              user: {
                username: `u${suffix}`,
                email: `u${suffix}@${tenants[step.tenant]!.slug}.example`,
                firstName: "Iso",
                lastName: "Lation",
                title: canary,
                roleId: viewer[step.tenant],
              },
              role: { name: canary, permissions: ["patients.read"] },
              workspace: { slug: `w${suffix}`, name: canary, protected: false },
              token: { name: canary, roleId: viewer[step.tenant] },
            };
            const res = await send(step.tenant, "POST", PATH[step.kind], body[step.kind]);
            expect(res.statusCode, res.body).toBe(201);
            owned.push({ kind: step.kind, tenant: step.tenant, id: res.json().id, canary });
          } else if (step.op === "read" || step.op === "change") {
            const target = step.made ? pickOwned(step.pick) : undefined;
            const kind: Kind =
              target?.kind ?? (["user", "role", "workspace", "token"] as const)[step.pick % 4]!;
            const id = target?.id ?? `${kind.slice(0, 3)}_${randomBytes(10).toString("hex")}`;
            const url = `${PATH[kind]}/${id}`;
            const missing = await send(
              step.actor,
              "GET",
              `${PATH[kind]}/${kind.slice(0, 3)}_${randomBytes(10).toString("hex")}`,
            );
            const owner = target?.tenant;
            const before = owner === undefined ? 0 : await auditLength(owner);
            const res =
              step.op === "read"
                ? await send(step.actor, "GET", url)
                : kind === "token"
                  ? await send(step.actor, "DELETE", url)
                  : await send(
                      step.actor,
                      "PATCH",
                      url,
                      kind === "user"
                        ? { title: canaryOf(step.actor) }
                        : kind === "role"
                          ? { description: canaryOf(step.actor) }
                          : { name: canaryOf(step.actor) },
                    );
            if (owner === step.actor) {
              expect(res.statusCode, res.body).toBeLessThan(300);
              // Audited (a token's revocation also archives its integration user: two events); a
              // second revocation changes nothing.
              if (step.op === "change" && !revoked.has(id))
                expect(await auditLength(owner)).toBeGreaterThan(before);
              if (step.op === "change" && kind === "token") revoked.add(id);
            } else {
              // Foreign or made up: exactly the answer for a missing object, and nothing changed.
              expect([res.statusCode, problemShape(res.body)]).toEqual([404, problemShape(missing.body)]);
              if (owner !== undefined) expect(await auditLength(owner)).toBe(before);
            }
          } else if (step.op === "grant") {
            const target = pickOwned(step.pick);
            const ref = `pat-${randomBytes(3).toString("hex")}`;
            const res = await send(step.actor, "POST", `/api/v1/patients/${ref}/access`, {
              userId: target?.kind === "user" ? target.id : `use_${randomBytes(10).toString("hex")}`,
              reason: "isolation",
            });
            if (target?.kind === "user" && target.tenant === step.actor) {
              expect(res.statusCode, res.body).toBe(201);
              patients[step.actor]!.push(ref);
            } else {
              // Another tenant's user is refused exactly like a user that does not exist.
              expect([res.statusCode, res.json().code, res.json().errors?.[0]?.path]).toEqual([
                400,
                "VALIDATION_FAILED",
                "userId",
              ]);
            }
          } else if (step.op === "list") {
            const other = (1 - step.actor) as 0 | 1;
            const url =
              step.what === "audit"
                ? "/api/v1/audit?limit=200"
                : step.what === "patients"
                  ? `/api/v1/patients/${patients[other]![0] ?? "pat-none"}/access`
                  : `/api/v1/${step.what}?limit=200`;
            const res = await send(step.actor, "GET", url);
            expect(res.statusCode, res.body).toBe(200);
            for (const o of owned.filter((x) => x.tenant === other)) expect(res.body).not.toContain(o.id);
            for (const canary of otherCanaries(step.actor)) expect(res.body).not.toContain(canary);
            if (step.what === "patients") expect(res.json().items).toEqual([]);
          } else {
            const target = pickOwned(step.pick);
            const userId = target?.kind === "user" ? target.id : `use_${randomBytes(10).toString("hex")}`;
            const res = await send(step.actor, "POST", "/api/v1/check", {
              userId,
              permission: "patients.read",
            });
            expect(res.statusCode, res.body).toBe(200);
            if (!(target?.kind === "user" && target.tenant === step.actor)) {
              expect([res.json().allowed, res.json().reason?.code]).toEqual([false, "USER_NOT_FOUND"]);
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
