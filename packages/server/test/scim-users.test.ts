/**
 * SCIM 2.0 Users (PRODUCT.md §7, RFC 7644): an identity provider provisions and deprovisions staff
 * with a tenant's API token, through the same rules as the REST API, and sees nothing of another
 * tenant. Errors are SCIM Error messages with Staffgate's stable code alongside.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createUser, roleIdByName, userRow } from "./lifecycle-fixtures.ts";
import {
  ENTERPRISE,
  PATCH_OP,
  provisioningToken,
  roleWith,
  scimClient,
  scimUser,
  USER,
} from "./scim-fixtures.ts";

describe(`SCIM Users (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let scim: ReturnType<typeof scimClient>;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    scim = scimClient(t, await provisioningToken(a, await roleIdByName(t, a, "Administrator")));
    viewer = await roleIdByName(t, a, "Viewer");
    await a.admin.settings.update({ scimDefaultRoleId: viewer });
  });
  afterAll(() => t?.close());

  it("serves the discovery resources without a token, as SCIM JSON", async () => {
    const anonymous = scimClient(t, null);
    const config = await anonymous("GET", "/ServiceProviderConfig");
    expect(config.status).toBe(200);
    expect(config.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      etag: { supported: true },
    });
    const types = await anonymous("GET", "/ResourceTypes");
    expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(["User", "Group"]);
    const schema = await anonymous("GET", `/Schemas/${USER}`);
    expect(schema.body.attributes.map((x: { name: string }) => x.name)).toContain("userName");
    expect((await anonymous("GET", "/Schemas/urn:nope")).status).toBe(404);
  });

  it("answers what it does not support as the RFC says: /Me and /Bulk 501, a filtered discovery 403", async () => {
    const me = await scim("GET", "/Me");
    expect([me.status, me.body.status, me.body.code]).toEqual([501, "501", "SCIM_NOT_SUPPORTED"]);
    expect((await scim("PATCH", "/Me", { schemas: [PATCH_OP], Operations: [] })).status).toBe(501);
    expect(
      (await scim("POST", "/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"] }))
        .status,
    ).toBe(501);
    const root = await scim("POST", "/.search", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
    });
    expect([root.status, root.body.code]).toEqual([501, "SCIM_NOT_SUPPORTED"]);
    for (const path of ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas", `/Schemas/${USER}`]) {
      const filtered = await scim("GET", `${path}?filter=${encodeURIComponent('id eq "User"')}`);
      expect([filtered.status, filtered.body.status], path).toEqual([403, "403"]);
    }
    const long = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${"x".repeat(2100)}"`)}`,
    );
    expect([long.status, long.body.scimType]).toEqual([400, "invalidFilter"]);
  });

  it("refuses a missing token (401) and a token without the permission (403), as SCIM errors", async () => {
    const none = await scimClient(t, null)("GET", "/Users");
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "401",
    });
    const weak = scimClient(t, await provisioningToken(a, await roleWith(a, ["patients.read"])));
    expect((await weak("GET", "/Users")).status).toBe(403);
    const reader = scimClient(t, await provisioningToken(a, await roleWith(a, ["users.view"])));
    expect((await reader("GET", "/Users")).status).toBe(200);
    expect((await reader("POST", "/Users", scimUser())).status).toBe(403);
  });

  it("creates an invited user in the tenant's default role, with Location, ETag and the audit event", async () => {
    const body = scimUser({
      externalId: "okta-00u1",
      title: "Dosimetrist",
      phoneNumbers: [{ value: "+44 20 7946 0000", type: "work" }],
      [ENTERPRISE]: { employeeNumber: "E-77" },
    });
    const res = await scim("POST", "/Users", body);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(res.body.meta.location);
    expect(res.headers.etag).toBe(res.body.meta.version);
    expect(res.body).toMatchObject({
      schemas: [USER, ENTERPRISE],
      userName: body.userName,
      externalId: "okta-00u1",
      active: true,
      title: "Dosimetrist",
      name: { givenName: "Sam", familyName: (body.name as { familyName: string }).familyName },
      emails: [{ value: (body.emails as { value: string }[])[0]!.value, primary: true }],
      phoneNumbers: [{ value: "+442079460000" }],
      groups: [{ value: viewer, display: "Viewer" }],
      [ENTERPRISE]: { employeeNumber: "E-77" },
      meta: { resourceType: "User" },
    });
    const user = await a.admin.users.get(res.body.id);
    expect(user).toMatchObject({ status: "invited", roleId: viewer, employeeNumber: "E-77" });
    expect((await auditOf(t, a, user.id)).map((e) => e.action)).toContain("user.created");
    const got = await scim("GET", `/Users/${user.id}`);
    expect(got.body).toEqual(res.body);
    // A GET naming the current version is 304 without a body; an older one gets the resource.
    const same = await scim("GET", `/Users/${user.id}`, undefined, {
      "if-none-match": res.body.meta.version,
    });
    expect([same.status, same.body]).toEqual([304, null]);
    expect((await scim("GET", `/Users/${user.id}`, undefined, { "if-none-match": 'W/"0"' })).status).toBe(
      200,
    );
  });

  it("refuses a user naming two groups (one role per user) with 400 naming groups, writing nothing", async () => {
    const before = (await a.admin.users.list({ status: "all", limit: 200 })).items.length;
    const role = (await a.admin.roles.list()).items[0]!.id;
    const two = await scim("POST", "/Users", scimUser({ groups: [{ value: role }, { value: role }] }));
    expect([two.status, two.body.scimType]).toEqual([400, "invalidValue"]);
    expect(two.body.detail).toContain("groups");
    expect((await a.admin.users.list({ status: "all", limit: 200 })).items.length).toBe(before);
  });

  it("refuses a user that names no group when the tenant has no default role, writing nothing", async () => {
    await a.admin.settings.update({ scimDefaultRoleId: null });
    try {
      const body = scimUser();
      const res = await scim("POST", "/Users", body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "SCIM_NO_DEFAULT_ROLE", scimType: "invalidValue" });
      expect(
        (await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${body.userName}"`)}`)).body
          .totalResults,
      ).toBe(0);
      const named = await scim("POST", "/Users", scimUser({ groups: [{ value: viewer }] }));
      expect(named.status).toBe(201);
    } finally {
      await a.admin.settings.update({ scimDefaultRoleId: viewer });
    }
  });

  it("answers a taken userName (any case) with 409 uniqueness, and a bad email with 400 naming emails", async () => {
    const first = await scim("POST", "/Users", scimUser());
    const dup = await scim("POST", "/Users", scimUser({ userName: first.body.userName.toUpperCase() }));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ scimType: "uniqueness", code: "USER_USERNAME_TAKEN" });
    const bad = await scim("POST", "/Users", scimUser({ emails: [{ value: "not-an-email" }] }));
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe("invalidValue");
    expect(bad.body.errors[0].path).toBe("emails");
    const missing = await scim("POST", "/Users", { schemas: [USER], userName: "x.only" });
    expect(missing.status).toBe(400);
  });

  it("takes a password from the identity provider: the user is active and signs in without a forced change", async () => {
    const body = scimUser({ password: "idp-chosen correct horse 42" });
    const res = await scim("POST", "/Users", body);
    expect(res.status).toBe(201);
    expect(res.body.password).toBeUndefined();
    expect((await a.admin.users.get(res.body.id)).status).toBe("active");
    const client = await t.signIn(a.slug, body.userName as string, "idp-chosen correct horse 42");
    expect((await client.auth.me()).user.mustChangePassword).toBe(false);
    const change = await scim("PATCH", `/Users/${res.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "password", value: "another one entirely 99" }],
    });
    expect(change.status).toBe(400);
    expect(change.body.scimType).toBe("mutability");
    // A password the policy refuses says why, as the API's problem does (`passwordProblem`),
    // beside SCIM's own members.
    const weak = await scim("POST", "/Users", scimUser({ password: "short" }));
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "400",
      scimType: "invalidValue",
      passwordProblem: "TOO_SHORT",
    });
    expect(weak.body.errors[0].path).toBe("password");
  });

  it("filters: case-insensitive userName eq, externalId, co with a literal %, and/or; paging with totalResults", async () => {
    const made = [];
    const titles = [
      ["alpha", "Lead_50"],
      ["beta", "Lead 50 FTE"],
      ["gamma", "Lead 50% FTE"],
    ] as const;
    for (const [suffix, title] of titles) {
      const res = await scim(
        "POST",
        "/Users",
        scimUser({ userName: `f.${suffix}`, externalId: `ext-${suffix}`, title }),
      );
      expect(res.status).toBe(201);
      made.push(res.body);
    }
    const q = async (filter: string, extra = "") =>
      (await scim("GET", `/Users?filter=${encodeURIComponent(filter)}${extra}`)).body;
    expect((await q('userName eq "F.ALPHA"')).Resources.map((r: { id: string }) => r.id)).toEqual([
      made[0].id,
    ]);
    expect((await q('externalId eq "ext-beta"')).Resources.map((r: { id: string }) => r.id)).toEqual([
      made[1].id,
    ]);
    expect((await q('title co "%"')).Resources.map((r: { id: string }) => r.id)).toEqual([made[2].id]);
    expect((await q('title co "_"')).Resources.map((r: { id: string }) => r.id)).toEqual([made[0].id]);
    expect(
      (await q('userName sw "f." and (externalId eq "ext-alpha" or externalId eq "ext-beta")')).totalResults,
    ).toBe(2);
    const paged = await q('userName sw "f."', "&startIndex=2&count=1");
    expect(paged).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    // Pages follow one stable order (creation time, then id): the second page of one is the second of all.
    const all = await q('userName sw "f."');
    expect(paged.Resources[0].id).toBe(all.Resources[1].id);
    const bad = await scim("GET", `/Users?filter=${encodeURIComponent("userName eq")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe("invalidFilter");
    const unknown = await scim("GET", `/Users?filter=${encodeURIComponent('shoeSize eq "9"')}`);
    expect(unknown.body.scimType).toBe("invalidFilter");
    const projected = await q('userName eq "f.alpha"', "&attributes=userName");
    expect(Object.keys(projected.Resources[0]).sort()).toEqual(["id", "schemas", "userName"]);
  });

  it("deactivates on active false (Azure AD's string form): sessions end at once; true reactivates", async () => {
    const { user, client } = await createUser(t, a, { roleId: viewer });
    const off = await scim("PATCH", `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await a.admin.users.get(user.id)).status).toBe("inactive");
    await expect(client.auth.me()).rejects.toMatchObject({ status: 401 });
    const on = await scim("PATCH", `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", value: { active: true } }],
    });
    expect(on.body.active).toBe(true);
    expect((await a.admin.users.get(user.id)).status).toBe("active");
  });

  it("never turns a deprovisioned user back on because an update left active out, removed it or set it null", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const off = { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] };
    expect((await scim("PATCH", `/Users/${user.id}`, off)).status).toBe(200);
    // Okta and Entra send whole profiles without `active`; a PUT of what GET gave, minus active.
    const { active: _dropped, ...withoutActive } = (await scim("GET", `/Users/${user.id}`)).body;
    const put = await scim("PUT", `/Users/${user.id}`, { ...withoutActive, title: "Former nurse" });
    expect([put.status, put.body.active, put.body.title]).toEqual([200, false, "Former nurse"]);
    for (const op of [
      { op: "remove", path: "active" },
      { op: "replace", path: "active", value: null },
      { op: "replace", value: { active: null } },
    ]) {
      const res = await scim("PATCH", `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [op] });
      expect([res.status, res.body.active], JSON.stringify(op)).toEqual([200, false]);
    }
    expect((await a.admin.users.get(user.id)).status).toBe("inactive");
    await expect(t.signIn(a.slug, user.username)).rejects.toMatchObject({ status: 401 });
    const events = (await auditOf(t, a, user.id)).map((e) => e.action);
    expect(events).not.toContain("user.reactivated");
  });

  it("follows Entra and the RFC: unknown attributes ignored in PATCH as in PUT, noTarget, schemas required, WWW-Authenticate", async () => {
    const created = (await scim("POST", "/Users", scimUser({ preferredLanguage: "en-GB" }))).body;
    const entra = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Replace", path: "name.givenName", value: "Entra" },
        { op: "Add", path: `${ENTERPRISE}:department`, value: "Oncology" },
      ],
    });
    expect([entra.status, entra.body.name.givenName]).toEqual([200, "Entra"]);
    const missing = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "replace", path: 'emails[value eq "nobody@idp.example"].value', value: "x@idp.example" },
      ],
    });
    expect([missing.status, missing.body.scimType]).toEqual([400, "noTarget"]);
    const { schemas: _s, ...noSchemas } = scimUser();
    const bare = await scim("POST", "/Users", noSchemas);
    expect([bare.status, bare.body.scimType]).toEqual([400, "invalidSyntax"]);
    const none = await scimClient(t, null)("GET", "/Users");
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="staffgate"');
    // A token that was sent and refused is `invalid_token` (RFC 6750 §3.1), on SCIM and REST alike.
    expect((await scim("GET", "/Users?sortBy=userName&sortBy=id&count=1")).status).toBe(200);
    const bogus = await scimClient(t, "sgt_bogus")("GET", "/Users");
    expect(bogus.headers["www-authenticate"]).toBe('Bearer realm="staffgate", error="invalid_token"');
    const rest = await t.app.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: { authorization: "Bearer sgs_gone" },
    });
    expect([rest.statusCode, rest.headers["www-authenticate"]]).toEqual([
      401,
      'Bearer realm="staffgate", error="invalid_token"',
    ]);
    const anonymous = await t.app.inject({ method: "GET", url: "/api/v1/auth/me" });
    expect(anonymous.headers["www-authenticate"]).toBe('Bearer realm="staffgate"');
  });

  it("takes Entra's default mapping: values of types not kept, unknown attributes behind a filter, a display name", async () => {
    // Entra sends a work and a mobile number, its own display name, and addresses[type eq "work"].*.
    const created = (
      await scim(
        "POST",
        "/Users",
        scimUser({
          displayName: "Sammy (Entra)",
          phoneNumbers: [
            { type: "mobile", value: "+14155550111" },
            { type: "work", value: "+14155550112" },
          ],
          addresses: [{ type: "work", locality: "Turku" }],
        }),
      )
    ).body;
    expect(created.phoneNumbers).toEqual([{ value: "+14155550112", type: "work", primary: true }]);
    expect(created.displayName).toBe(`${created.name.givenName} ${created.name.familyName}`);
    const update = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Replace", path: "title", value: "Nurse" },
        { op: "Replace", path: "displayName", value: "Sammy (Entra)" },
        { op: "Replace", path: "name.formatted", value: "Dr. Sammy" },
        { op: "Replace", path: 'phoneNumbers[type eq "mobile"].value', value: "+14155550199" },
        { op: "Add", path: 'addresses[type eq "work"].locality', value: "Espoo" },
        { op: "Add", path: 'emails[type eq "home"].value', value: "home@idp.example" },
        { op: "Replace", path: 'phoneNumbers[type eq "work"].value', value: "+14155550113" },
      ],
    });
    expect(update.status).toBe(200);
    expect(update.body.title).toBe("Nurse");
    expect(update.body.displayName).toBe(created.displayName);
    expect(update.body.emails).toEqual(created.emails);
    expect(update.body.phoneNumbers).toEqual([{ value: "+14155550113", type: "work", primary: true }]);
    // A malformed filter is still refused, even on an attribute Staffgate does not keep.
    const bad = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Add", path: "addresses[type eq].locality", value: "x" }],
    });
    expect([bad.status, bad.body.scimType]).toEqual([400, "invalidFilter"]);
    const password = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "replace", path: "title", value: "x" },
        { op: "replace", path: "password", value: "another long passphrase 42" },
      ],
    });
    expect([password.status, password.body.scimType, password.body.errors[0].path]).toEqual([
      400,
      "mutability",
      "Operations.1",
    ]);
  });

  it("records the externalId a user is created with in the audit trail", async () => {
    const created = (await scim("POST", "/Users", scimUser({ externalId: "aad-created-1" }))).body;
    const events = await a.admin.audit.list({ targetId: created.id });
    expect(events.items.map((e) => [e.action, e.changes?.externalId])).toContainEqual([
      "user.updated",
      { before: null, after: "aad-created-1" },
    ]);
  });

  it("compares eq as typed, spaces included; projects a whole extension by its URN", async () => {
    const created = (await scim("POST", "/Users", scimUser({ [ENTERPRISE]: { employeeNumber: "E-7" } })))
      .body;
    const eq = async (value: string) =>
      (await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(value)}`)}`)).body
        .totalResults;
    expect(await eq(created.userName.toUpperCase())).toBe(1);
    expect(await eq(` ${created.userName} `)).toBe(0);
    const whole = (await scim("GET", `/Users/${created.id}?attributes=${encodeURIComponent(ENTERPRISE)}`))
      .body;
    expect(whole[ENTERPRISE]).toEqual({ employeeNumber: "E-7" });
  });

  it("projects sub-attributes of lists and extension attributes by URN (attributes, excludedAttributes)", async () => {
    const created = (await scim("POST", "/Users", scimUser({ [ENTERPRISE]: { employeeNumber: "E-9" } })))
      .body;
    const only = encodeURIComponent(`emails.value,name.givenName,${ENTERPRISE}:employeeNumber`);
    const got = (await scim("GET", `/Users/${created.id}?attributes=${only}`)).body;
    expect(got).toEqual({
      schemas: created.schemas,
      id: created.id,
      emails: [{ value: created.emails[0].value }],
      name: { givenName: "Sam" },
      [ENTERPRISE]: { employeeNumber: "E-9" },
    });
    const lean = await scim("GET", `/Users/${created.id}?excludedAttributes=emails.value,meta`);
    const without = lean.body;
    expect(without.emails).toEqual([{ type: "work", primary: true }]);
    expect(without.meta).toBeUndefined();
    expect(lean.headers.etag).toBe(created.meta.version);
    expect(without.userName).toBe(created.userName);
  });

  it("projects the resource a write returns (RFC 7644 §3.9), its ETag and Location from the whole one", async () => {
    const made = await scim("POST", "/Users?attributes=userName", scimUser());
    expect(made.status).toBe(201);
    expect(Object.keys(made.body).sort()).toEqual(["id", "schemas", "userName"]);
    expect(made.headers.location).toContain(`/Users/${made.body.id}`);
    const whole = (await scim("GET", `/Users/${made.body.id}`)).body;
    expect(made.headers.etag).toBe(whole.meta.version);

    const patched = await scim("PATCH", `/Users/${made.body.id}?excludedAttributes=emails,meta`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "name.givenName", value: "Projected" }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: made.body.id, name: { givenName: "Projected" } });
    expect(patched.body.emails).toBeUndefined();
    expect(patched.body.meta).toBeUndefined();
    expect(patched.headers.etag).toBe((await scim("GET", `/Users/${made.body.id}`)).body.meta.version);

    const { id: _id, meta: _meta, ...rest } = whole;
    const put = await scim("PUT", `/Users/${made.body.id}?attributes=name.familyName`, rest);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      schemas: whole.schemas,
      id: whole.id,
      name: { familyName: whole.name.familyName },
    });

    // A write takes no other parameter, and a refused one changes nothing.
    const odd = await scim("POST", "/Users?filter=x", scimUser({ userName: "never.made" }));
    expect(odd.status).toBe(400);
    const none = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "never.made"')}`);
    expect(none.body.totalResults).toBe(0);
  });

  it("deprovisions an invited user with active false: its invitation dies; true invites it again", async () => {
    const created = (await scim("POST", "/Users", scimUser())).body;
    const link = async () =>
      (
        await t.db.kysely
          .selectFrom("credential_tokens")
          .select(["expires_at", "used_at"])
          .where("tenant_id", "=", a.id)
          .where("user_id", "=", created.id)
          .where("kind", "=", "invitation")
          .execute()
      ).filter((r) => r.used_at === null && r.expires_at > t.clock.now().toISOString()).length;
    expect(await link()).toBe(1);
    const off = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect([off.status, off.body.active]).toEqual([200, false]);
    expect((await a.admin.users.get(created.id)).status).toBe("inactive");
    expect(await link()).toBe(0);
    const on = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", value: { active: true } }],
    });
    expect([on.status, on.body.active]).toEqual([200, true]);
    expect((await a.admin.users.get(created.id)).status).toBe("invited");
    expect(await link()).toBe(1);
  });

  it("patches names and the work email by value path, audited; PUT clears what it leaves out", async () => {
    const created = (await scim("POST", "/Users", scimUser({ title: "Physicist" }))).body;
    const patched = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "replace", path: "name.givenName", value: "Samantha" },
        { op: "replace", path: 'emails[type eq "work"].value', value: "samantha@idp.example" },
      ],
    });
    expect(patched.status).toBe(200);
    const user = await a.admin.users.get(created.id);
    expect(user).toMatchObject({ firstName: "Samantha", email: "samantha@idp.example", title: "Physicist" });
    expect((await auditOf(t, a, created.id)).map((e) => e.action)).toContain("user.updated");
    const { title: _t, ...rest } = { ...created };
    const put = await scim("PUT", `/Users/${created.id}`, {
      ...rest,
      emails: [{ value: "samantha@idp.example", primary: true }],
      name: { givenName: "Samantha", familyName: created.name.familyName },
    });
    expect(put.status).toBe(200);
    expect(put.body.title).toBeUndefined();
    expect((await a.admin.users.get(created.id)).title).toBeNull();
  });

  it("refuses changes to read-only attributes and stale If-Match, changing nothing", async () => {
    const created = (await scim("POST", "/Users", scimUser())).body;
    const groups = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "add", path: "groups", value: [{ value: "rol_x" }] }],
    });
    expect(groups.status).toBe(400);
    expect(groups.body.scimType).toBe("mutability");
    // The operation refused is named as a field is, its message naming the attribute.
    const second = await scim("PATCH", `/Users/${created.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "replace", path: "title", value: "X" },
        { op: "replace", path: "active", value: "maybe" },
      ],
    });
    expect([second.status, second.body.scimType, second.body.errors]).toEqual([
      400,
      "invalidValue",
      [{ path: "Operations.1", message: "active: expected a boolean value." }],
    ]);
    const stale = await scim(
      "PATCH",
      `/Users/${created.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "X" }] },
      { "if-match": 'W/"99"' },
    );
    expect(stale.status).toBe(412);
    const noEnvelope = await scim("PATCH", `/Users/${created.id}`, {
      Operations: [{ op: "replace", path: "title", value: "X" }],
    });
    expect(noEnvelope.body.scimType).toBe("invalidSyntax");
    expect(noEnvelope.body.errors.map((e: { path: string }) => e.path)).toEqual(["schemas"]);
    const row = await userRow(t, a, created.id);
    expect(row!.title).toBeNull();
    expect(row!.version).toBe(1);
  });

  it("moves the ETag when only externalId changes: the old version is stale for If-Match and If-None-Match", async () => {
    const created = (await scim("POST", "/Users", scimUser({ externalId: "idp-old" }))).body;
    const old = created.meta.version as string;
    const patched = await scim(
      "PATCH",
      `/Users/${created.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "externalId", value: "idp-new" }] },
      { "if-match": old },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.meta.version).not.toBe(old);
    const fresh = await scim("GET", `/Users/${created.id}`, undefined, { "if-none-match": old });
    expect([fresh.status, fresh.body.externalId]).toEqual([200, "idp-new"]);
    const stale = await scim(
      "PATCH",
      `/Users/${created.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "externalId", value: "idp-lost" }] },
      { "if-match": old },
    );
    expect(stale.status).toBe(412);
  });

  it("DELETE archives: sessions end, the user answers 404 from then on, its name stays taken", async () => {
    const { user, client } = await createUser(t, a, { roleId: viewer });
    const del = await scim("DELETE", `/Users/${user.id}`);
    expect(del.status).toBe(204);
    expect((await a.admin.users.get(user.id)).status).toBe("archived");
    await expect(client.auth.me()).rejects.toMatchObject({ status: 401 });
    expect((await scim("GET", `/Users/${user.id}`)).status).toBe(404);
    expect((await scim("DELETE", `/Users/${user.id}`)).status).toBe(404);
    const again = await scim("POST", "/Users", scimUser({ userName: user.username }));
    expect(again.status).toBe(409);
  });

  it("keeps the escalation guard: a token cannot put a user in a role holding more than its own", async () => {
    const limited = scimClient(
      t,
      await provisioningToken(a, await roleWith(a, ["users.view", "users.manage"])),
    );
    const admin = await roleIdByName(t, a, "Administrator");
    const res = await limited("POST", "/Users", scimUser({ groups: [{ value: admin }] }));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe("PRIVILEGE_ESCALATION");
  });

  it("changes a user's externalId only for a token that may act on the user (pentest audit)", async () => {
    const limited = scimClient(
      t,
      await provisioningToken(a, await roleWith(a, ["users.view", "users.manage"])),
    );
    const admin = await roleIdByName(t, a, "Administrator");
    const { user } = await createUser(t, a, { roleId: admin });
    const res = await limited("PATCH", `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "externalId", value: "idp-object-of-someone-else" }],
    });
    expect([res.status, res.body.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    expect((await scim("GET", `/Users/${user.id}`)).body.externalId).toBeUndefined();
  });

  it("gives an externalId to one live user only: 409 uniqueness for a second, free again once the first is archived", async () => {
    const first = await scim("POST", "/Users", scimUser({ externalId: "idp-unique-1" }));
    expect(first.status).toBe(201);
    const second = await scim("POST", "/Users", scimUser());
    const taken = await scim("PATCH", `/Users/${second.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "externalId", value: "idp-unique-1" }],
    });
    expect([taken.status, taken.body.scimType, taken.body.code]).toEqual([
      409,
      "uniqueness",
      "SCIM_EXTERNAL_ID_TAKEN",
    ]);
    expect((await scim("GET", `/Users/${second.body.id}`)).body.externalId).toBeUndefined();
    expect((await scim("DELETE", `/Users/${first.body.id}`)).status).toBe(204);
    const again = await scim("POST", "/Users", scimUser({ externalId: "idp-unique-1" }));
    expect([again.status, again.body.externalId]).toEqual([201, "idp-unique-1"]);
    // Restored by hand while the new user holds its id, the old one gives the id up (audited);
    // two users answering one id would send the provider's updates to either.
    await a.admin.userActions.restore(first.body.id, {});
    const found = await scim("GET", `/Users?filter=${encodeURIComponent('externalId eq "idp-unique-1"')}`);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([again.body.id]);
    expect((await scim("GET", `/Users/${first.body.id}`)).body.externalId).toBeUndefined();
    const restored = (await auditOf(t, a, first.body.id)).filter((e) => e.action === "user.restored");
    expect(restored.at(-1)?.changes).toMatchObject({ externalId: { before: "idp-unique-1", after: null } });
  });

  it("refuses an externalId with control or bidi characters or past 255, yet never blocks updates over one stored before", async () => {
    for (const externalId of ["ext\r\nBcc: x@y.example", "\u202eEXT", "E".repeat(256)]) {
      const res = await scim("POST", "/Users", scimUser({ externalId }));
      expect([res.status, res.body.scimType, res.body.errors?.[0]?.path]).toEqual([
        400,
        "invalidValue",
        "externalId",
      ]);
    }
    const made = (await scim("POST", "/Users", scimUser({ externalId: "idp-legacy-1" }))).body;
    const bidi = await scim("PATCH", `/Users/${made.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "externalId", value: "\u202eidp" }],
    });
    expect([bidi.status, bidi.body.errors?.[0]?.path]).toEqual([400, "externalId"]);
    // An id stored before the rule (as an older version took it) is kept, and the provider can
    // still switch the account off: the rule judges a new id only.
    const legacy = "L".repeat(300);
    await t.db.kysely
      .updateTable("scim_external_ids")
      .set({ external_id: legacy })
      .where("tenant_id", "=", a.id)
      .where("resource_id", "=", made.id)
      .execute();
    const off = await scim("PATCH", `/Users/${made.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    expect([off.status, off.body.active, off.body.externalId]).toEqual([200, false, legacy]);
  });

  it("names the default role when it is what the token may not give, not groups, which the body did not send", async () => {
    // Viewer, the default here, holds patient permissions a users.manage-only token does not.
    const limited = scimClient(
      t,
      await provisioningToken(a, await roleWith(a, ["users.view", "users.manage"])),
    );
    const body = scimUser();
    const res = await limited("POST", "/Users", body);
    expect([res.status, res.body.code, res.body.errors]).toEqual([403, "PRIVILEGE_ESCALATION", undefined]);
    expect(res.body.detail).toMatch(
      /^The tenant's default role for provisioned users \(scimDefaultRoleId, on Settings\) grants permissions you do not hold: .*patients\.read/,
    );
    const found = await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${body.userName}"`)}`);
    expect(found.body.totalResults).toBe(0);
  });

  it("answers a body that is no JSON object with invalidSyntax, and says in /Schemas that both names are required", async () => {
    for (const body of [[], null, "user"]) {
      const res = await scim("POST", "/Users", body);
      expect([res.status, res.body.scimType], JSON.stringify(body)).toEqual([400, "invalidSyntax"]);
    }
    const schema = await scimClient(t, null)("GET", `/Schemas/${USER}`);
    const name = schema.body.attributes.find((x: { name: string }) => x.name === "name");
    expect(name.required).toBe(true);
    const parts = Object.fromEntries(
      name.subAttributes.map((x: { name: string; required: boolean }) => [x.name, x.required]),
    );
    expect(parts).toMatchObject({ givenName: true, familyName: true, formatted: false });
    // Email is unique within the tenant, as userName is (a second user with it is 409 uniqueness).
    const emails = schema.body.attributes.find((x: { name: string }) => x.name === "emails");
    const value = emails.subAttributes.find((x: { name: string }) => x.name === "value");
    expect([emails.uniqueness, value.uniqueness]).toEqual(["server", "server"]);
    const missing = await scim("POST", "/Users", scimUser({ name: { givenName: "Only" } }));
    expect([missing.status, missing.body.errors?.[0]?.path]).toEqual([400, "name.familyName"]);
  });

  it("sees nothing of another tenant: its ids answer exactly like missing ones; virtual users are not listed", async () => {
    const other = (await createUser(t, b)).user;
    const foreign = await scim("GET", `/Users/${other.id}`);
    const missing = await scim("GET", "/Users/usr_missing");
    expect(foreign.status).toBe(404);
    expect({ ...foreign.body, detail: null }).toEqual({ ...missing.body, detail: null });
    expect(foreign.body.detail).toBe(missing.body.detail);
    const all = await scim("GET", "/Users?count=200");
    const ids = all.body.Resources.map((r: { id: string }) => r.id);
    expect(ids).not.toContain(other.id);
    const virtualRows = await t.db.kysely
      .selectFrom("users")
      .select("id")
      .where("tenant_id", "=", a.id)
      .where("virtual", "=", 1)
      .execute();
    expect(virtualRows.length).toBeGreaterThan(0);
    for (const v of virtualRows) expect(ids).not.toContain(v.id);
    expect(
      (
        await scim("PATCH", `/Users/${other.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: "replace", path: "title", value: "x" }],
        })
      ).status,
    ).toBe(404);
    expect((await b.admin.users.get(other.id)).title).toBeNull();
  });

  it("is reachable through the SDK: create, filter, patch, delete; errors carry the SCIM status as a number", async () => {
    const sdk = t.anonymous.withToken(await provisioningToken(a, await roleIdByName(t, a, "Administrator")));
    const body = scimUser();
    const created = await sdk.scim.users.create(body);
    const found = await sdk.scim.users.list({ filter: `userName eq "${body.userName}"` });
    expect(found.Resources.map((r) => r.id)).toEqual([created.id]);
    const patched = await sdk.scim.users.patch(
      created.id,
      [{ op: "replace", path: "title", value: "Therapist" }],
      {
        ifMatch: 1,
      },
    );
    expect(patched.title).toBe("Therapist");
    // The version as SCIM gives it (`meta.version`, W/"2") is taken as it is; a stale one is 412.
    const version = (patched.meta as { version: string }).version;
    const again = await sdk.scim.users.patch(created.id, [{ op: "replace", path: "title", value: "Lead" }], {
      ifMatch: version,
    });
    expect(again.title).toBe("Lead");
    await expect(
      sdk.scim.users.patch(created.id, [{ op: "replace", path: "title", value: "Late" }], {
        ifMatch: version,
      }),
    ).rejects.toMatchObject({ status: 412 });
    await expect(sdk.scim.users.create(body)).rejects.toMatchObject({
      status: 409,
      code: expect.stringMatching(/_TAKEN$/),
    });
    await sdk.scim.users.delete(created.id);
    await expect(sdk.scim.users.get(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it("filters a tenant larger than one read step (1,000 users), across equal creation times, exactly", async () => {
    const tenant = await t.createTenant();
    const token = await provisioningToken(tenant, await roleIdByName(t, tenant, "Administrator"));
    const big = scimClient(t, token);
    const template = await userRow(t, tenant, tenant.adminUserId);
    // 2,500 copies sharing one creation time: the read steps must order them by id as well.
    const rows = Array.from({ length: 2500 }, (_, i) => {
      const name = `bulk${String(i).padStart(4, "0")}`;
      return {
        ...template!,
        id: `usr_bulk${String(i).padStart(5, "0")}`,
        username: name,
        username_key: name,
        email: `${name}@bulk.example`,
        email_key: `${name}@bulk.example`,
        title: i % 3 === 0 ? "Third" : null,
        created_at: "2026-01-01T00:00:00.000Z",
      };
    });
    for (let i = 0; i < rows.length; i += 250)
      await t.db.kysely
        .insertInto("users")
        .values(rows.slice(i, i + 250))
        .execute();
    const filter = encodeURIComponent('title eq "third"');
    const seen = new Set<string>();
    let total = -1;
    for (let start = 1; ; start += 200) {
      const page = (await big("GET", `/Users?filter=${filter}&startIndex=${start}&count=200`)).body;
      total = page.totalResults;
      for (const r of page.Resources) seen.add(r.userName);
      if (page.Resources.length < 200) break;
    }
    expect(total).toBe(834);
    expect(seen.size).toBe(834);
    expect([...seen].every((name) => Number(name.slice(4)) % 3 === 0)).toBe(true);
    const all = (await big("GET", "/Users?count=0")).body;
    expect(all.totalResults).toBe(2501);
  });
});
