/**
 * PRODUCT.md §7 "SDK: a typed TypeScript client for the whole API": every SDK method is called, and
 * the server's own request counter (`/metrics`, by route pattern) shows each operation of the
 * OpenAPI document reached by one, not by `transport.raw` or an inject.
 */
import { type OpenApiDocument, type Staffgate, StaffgateError } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestTenant } from "./harness.ts";

/** Pages for a person's browser, not a program's calls: no SDK method on purpose. */
const FOR_BROWSERS = ["GET /api/docs", "GET /api/docs.js"];

/** SCIM answers at RFC 7644's root and again under /api/v1 (docs/api.md): the SDK uses the root. */
const canonical = (op: string) => op.replace(" /api/v1/scim/v2/", " /scim/v2/");

const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const NEW_PASSWORD = "heron-Pa55word-lantern-9902";

function operationsOf(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** SCIM's /Me and /Bulk answer 501 by design (RFC 7644 §3.11): documented, and no SDK method. */
function unsupportedOf(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => (op as { summary?: string }).summary?.startsWith("Not supported:"))
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
}

/** Requests counted so far by "METHOD /path/{param}", summed over statuses. */
function requestCounts(metrics: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of metrics.split("\n")) {
    const m = /^staffgate_http_requests_total\{(.*)\} (\d+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    // The OpenAPI document's own rule (http/openapi.ts): Fastify's `:id` is OpenAPI's `{id}`.
    const op = `${labels.method} ${labels.route?.replace(/:([A-Za-z]+)/g, "{$1}")}`;
    counts.set(op, (counts.get(op) ?? 0) + Number(m[2]));
  }
  return counts;
}

/** Every method of every namespace, as "users.get" or "scim.users.get". */
function methodsOf(value: object, prefix = ""): string[] {
  return Object.entries(value).flatMap(([key, v]) => {
    if (key === "transport") return [];
    if (typeof v === "function") return [`${prefix}${key}`];
    return v && typeof v === "object" ? methodsOf(v, `${prefix}${key}.`) : [];
  });
}

/** The client, noting each method it hands out (taken means called: every one is awaited below). */
function tracked(client: Staffgate, called: Set<string>): Staffgate {
  const wrap = <T extends object>(target: T, prefix: string): T =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value = Reflect.get(obj, key, receiver);
        if (typeof key !== "string" || key === "transport") return value;
        if (key === "withToken" && prefix === "")
          return (token: string | undefined) => tracked(client.withToken(token), called);
        if (typeof value === "function") called.add(`${prefix}${key}`);
        else if (value && typeof value === "object") return wrap(value, `${prefix}${key}.`);
        return value;
      },
    });
  return wrap(client, "");
}

/** A refusal (4xx) still reached its operation; a 5xx or a thrown bug fails the test. */
async function settle<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof StaffgateError && error.status < 500) return undefined;
    throw error;
  }
}

describe(`SDK covers the API (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t.close());

  it("calls every SDK method, and they reach every operation of the OpenAPI document", async () => {
    const called = new Set<string>();
    const admin = tracked(a.admin, called);
    const operator = tracked(t.operator, called);
    const anonymous = tracked(t.anonymous, called);
    const password = a.password;
    // Only what the calls below reach counts: the harness's set-up has already been counted.
    const before = requestCounts(await t.operator.operations.metrics());

    const doc = await anonymous.operations.openApi();
    await anonymous.operations.health();
    await anonymous.operations.ready();

    await operator.tenants.list();
    await operator.tenants.create({
      slug: `${a.slug}-b`,
      name: "Second tenant",
      admin: {
        username: "admin",
        email: `admin@${a.slug}-b.example`,
        firstName: "Bo",
        lastName: "B",
        password,
      },
    });
    await admin.permissions.list();

    const ws = await admin.workspaces.create({ slug: "ward-7", name: "Ward 7", protected: false });
    await admin.workspaces.list();
    await admin.workspaces.get(ws.id);
    await admin.workspaces.usage(ws.id);
    await admin.workspaces.update(ws.id, { name: "Ward Seven" }, { ifMatch: ws.version });

    // Patient writes too: the application's report that the nurse created a patient is believed.
    const role = await admin.roles.create({
      name: "Night nurse",
      permissions: ["users.view", "patients.write", "patients.phi"],
    });
    await admin.roles.list();
    await admin.roles.get(role.id);
    await admin.roles.update(role.id, { description: "Covers nights" }, { ifMatch: role.version });
    const copy = await admin.roles.copy(role.id);
    await admin.roles.delete(copy.id);

    const person = (username: string) => ({
      username,
      email: `${username}@${a.slug}.example`,
      firstName: "Nia",
      lastName: username,
      roleId: role.id,
    });
    const nurse = await admin.users.create({ ...person("nurse"), password, mustChangePassword: false });
    const invited = await admin.users.create(person("invitee"));
    await admin.users.list();
    await admin.users.get(nurse.id);
    await admin.users.update(nurse.id, { title: "RN" }, { ifMatch: nurse.version });
    await admin.users.seats();
    await admin.users.import({ csv: await admin.users.export(), dryRun: true });

    const signIn = async () =>
      (await anonymous.auth.login({ tenant: a.slug, login: "nurse", password })).token;
    const self = anonymous.withToken(await signIn());
    await signIn(); // a second session, for the first to end
    const other = (await self.auth.sessions()).items.find((s) => !s.current);
    await self.auth.me();
    await self.auth.endSession(other!.id);
    await self.mfa.status();
    await self.mfa.startTotp();
    await settle(self.mfa.confirmTotp("000000"));
    await settle(self.mfa.renewRecoveryCodes(password));
    await settle(self.mfa.disable(password));
    await self.credentials.changePassword({ currentPassword: password, newPassword: NEW_PASSWORD });
    await self.auth.logout();

    await anonymous.credentials.forgotPassword({ tenant: a.slug, email: nurse.email });
    await settle(anonymous.credentials.resetPassword({ token: "no-such-token", newPassword: NEW_PASSWORD }));
    await settle(anonymous.credentials.acceptInvitation({ token: "no-such-token", password: NEW_PASSWORD }));
    await admin.credentials.resendInvitation(invited.id);
    await admin.credentials.setUserPassword(nurse.id, { random: true });
    await admin.mfa.reset(nurse.id);

    const check = { userId: nurse.id, permission: "users.view" };
    await admin.access.check(check);
    await admin.access.checkBatch([check]);
    await admin.access.explain(check);
    await admin.access.effectivePermissions(nurse.id);
    await admin.access.whoCan({ permission: "users.view" });

    await admin.patientAccess.grant("patient-42", { userId: nurse.id, reason: "Consult" });
    await admin.patientAccess.list("patient-42");
    await admin.patientAccess.created("patient-43", { userId: nurse.id });
    await admin.patientAccess.revoke("patient-42", nurse.id);

    const reason = "Patient collapsed on the ward, covering clinician unreachable";
    const opened = await settle(admin.emergencyAccess.open({ reason, password, workspaceId: ws.id }));
    await admin.emergencyAccess.list();
    await settle(admin.emergencyAccess.end(opened?.id ?? "none"));
    await settle(admin.emergencyAccess.review(opened?.id ?? "none", "Checked with the ward lead"));

    const settings = await admin.settings.get();
    await admin.settings.update({ scimDefaultRoleId: role.id }, { ifMatch: settings.version });
    const profile = await admin.tenant.get();
    await admin.tenant.update({ timeZone: "Europe/Oslo" }, { ifMatch: profile.version });
    await admin.outbox.list();
    await admin.audit.list();
    await admin.audit.verify();
    await admin.audit.export({ format: "jsonl" });
    await settle(admin.audit.purge());

    const created = await admin.apiTokens.create({ name: "Lab feed", roleId: role.id });
    await admin.apiTokens.list();
    const token = await admin.apiTokens.get(created.id);
    await admin.apiTokens.revoke(token.id, { ifMatch: token.version });

    await anonymous.scim.serviceProviderConfig();
    await anonymous.scim.resourceTypes();
    await anonymous.scim.resourceType("User");
    await anonymous.scim.schemas();
    await anonymous.scim.schema(USER_SCHEMA);
    const name = { givenName: "Sam", familyName: "Scim" };
    const sam = {
      schemas: [USER_SCHEMA],
      userName: "scim.sam",
      name,
      emails: [{ value: "sam@idp.example" }],
    };
    const scimUser = await admin.scim.users.create(sam);
    await admin.scim.users.list({ filter: 'userName eq "scim.sam"' });
    await admin.scim.users.search({ filter: 'userName eq "scim.sam"', attributes: ["userName"] });
    await admin.scim.users.get(scimUser.id, { attributes: "userName" });
    await admin.scim.users.replace(scimUser.id, { ...sam, title: "Porter" });
    await admin.scim.users.patch(scimUser.id, [{ op: "replace", path: "name.givenName", value: "Samuel" }]);
    const group = await admin.scim.groups.create({ schemas: [GROUP_SCHEMA], displayName: "SCIM porters" });
    await admin.scim.groups.list();
    await admin.scim.groups.search({ filter: 'displayName eq "SCIM porters"' });
    await admin.scim.groups.get(group.id);
    await admin.scim.groups.replace(group.id, { schemas: [GROUP_SCHEMA], displayName: "SCIM porters 2" });
    await admin.scim.groups.patch(group.id, [{ op: "replace", path: "displayName", value: "Porters" }]);
    await admin.scim.users.delete(scimUser.id);
    await admin.scim.groups.delete(group.id);

    await admin.userActions.getPermissions(nurse.id);
    await admin.userActions.setPermissions(nurse.id, { permissions: ["users.view"] });
    await admin.userActions.revokeSessions(nurse.id);
    await admin.userActions.unlock(nurse.id);
    await admin.userActions.deactivate(nurse.id);
    await admin.userActions.reactivate(nurse.id);
    await admin.userActions.archive(nurse.id);
    await admin.userActions.restore(nurse.id);
    await admin.userActions.purge(invited.id);
    await settle(admin.roles.delete(role.id));
    await admin.workspaces.delete(ws.id);

    await operator.operations.metrics();
    const after = requestCounts(await t.operator.operations.metrics());
    const reached = new Set([...after].filter(([op, n]) => n > (before.get(op) ?? 0)).map(([op]) => op));
    const documented = operationsOf(doc);

    const unsupported = unsupportedOf(doc);
    expect(unsupported.length).toBeGreaterThan(0);
    const unreached = documented.filter(
      (op) => !FOR_BROWSERS.includes(op) && !unsupported.includes(op) && !reached.has(canonical(op)),
    );
    expect(unreached, "operations no SDK method reached").toEqual([]);
    expect(
      methodsOf(a.admin).filter((m) => !called.has(m)),
      "SDK methods never called",
    ).toEqual([]);
    expect(FOR_BROWSERS.filter((op) => !documented.includes(op))).toEqual([]);
    // An SDK path the server does not route lands on "unmatched" (or the console's "*").
    expect([...reached].filter((op) => !documented.includes(op))).toEqual([]);
  });
});
