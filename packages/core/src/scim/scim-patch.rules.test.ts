import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA as ENT,
  ENTERPRISE_USER_ATTRIBUTES,
  GROUP_ATTRIBUTES,
  GROUP_SCHEMA,
  USER_ATTRIBUTES,
  USER_SCHEMA,
} from "./scim-attributes.rules.ts";
import {
  applyPatch,
  type PatchOperation,
  type PatchTarget,
  type ScimErrorType,
  ScimPatchError,
} from "./scim-patch.rules.ts";

const USER_TARGET: PatchTarget = {
  coreSchema: USER_SCHEMA,
  attributes: [...COMMON_ATTRIBUTES, ...USER_ATTRIBUTES],
  extensions: [{ urn: ENT, attributes: ENTERPRISE_USER_ATTRIBUTES }],
};
/** As the users service has it: one email and one phone number, the work ones. */
const KEPT_TARGET: PatchTarget = { ...USER_TARGET, keptTypes: { emails: "work", phoneNumbers: "work" } };
const GROUP_TARGET: PatchTarget = {
  coreSchema: GROUP_SCHEMA,
  attributes: [...COMMON_ATTRIBUTES, ...GROUP_ATTRIBUTES],
  extensions: [],
};

type Json = Record<string, unknown>;
const user = (over: Json = {}): Json => ({
  schemas: [USER_SCHEMA, ENT],
  id: "u1",
  externalId: "ext-1",
  userName: "ann",
  name: { givenName: "Ann", familyName: "Lee", formatted: "Ann Lee" },
  displayName: "Ann Lee",
  active: true,
  emails: [{ value: "ann@x.org", type: "work", primary: true }],
  phoneNumbers: [{ value: "+33123456789", type: "work" }],
  groups: [{ value: "g1", display: "Nurse", type: "direct" }],
  [ENT]: { employeeNumber: "42" },
  meta: {
    resourceType: "User",
    created: "2026-01-01T00:00:00Z",
    location: "https://s/Users/u1",
    version: 'W/"1"',
  },
  ...over,
});
const group = (over: Json = {}): Json => ({
  schemas: [GROUP_SCHEMA],
  id: "g1",
  displayName: "Nurse",
  members: [{ value: "u1", display: "Ann Lee" }],
  ...over,
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
// Every input is frozen, so any test also fails if applyPatch writes to its input.
const patchUser = (ops: unknown[], base = user()) =>
  applyPatch(deepFreeze(base), ops as PatchOperation[], USER_TARGET);
const patchGroup = (ops: unknown[], base = group()) =>
  applyPatch(deepFreeze(base), ops as PatchOperation[], GROUP_TARGET);

function errorOf(run: () => unknown): ScimErrorType | "none" {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimPatchError) return error.scimType;
    throw error;
  }
  return "none";
}
const userError = (...ops: unknown[]) => errorOf(() => patchUser(ops));
const groupError = (...ops: unknown[]) => errorOf(() => patchGroup(ops));

describe("operations", () => {
  it("reads op case-insensitively and refuses any other op", () => {
    expect(patchUser([{ op: "Replace", path: "title", value: "Dr" }]).title).toBe("Dr");
    expect(patchUser([{ op: "ADD", path: "title", value: "Dr" }]).title).toBe("Dr");
    expect(patchUser([{ op: "Remove", path: "title" }], user({ title: "Dr" }))).not.toHaveProperty("title");
    expect(userError({ op: "move", path: "title", value: "x" })).toBe("invalidSyntax");
    expect(userError({ path: "title", value: "x" })).toBe("invalidSyntax");
  });

  it("refuses an op that is not a string without reading it as one (a deep list overflowed the stack)", () => {
    let deep: unknown = "replace";
    for (let i = 0; i < 5000; i++) deep = [deep];
    // Not through patchUser: freezing a 5,000-deep list would overflow the test's own stack.
    const refusal = (op: unknown) =>
      errorOf(() => applyPatch(user(), [{ op, path: "title", value: "x" } as PatchOperation], USER_TARGET));
    expect([deep, ["replace"], { a: 1 }, 1, null].map(refusal)).toEqual(Array(5).fill("invalidSyntax"));
  });

  it("refuses an empty list, a value-less add or replace, and a path-less remove", () => {
    expect(errorOf(() => patchUser([]))).toBe("invalidValue");
    expect(userError({ op: "add", path: "title" })).toBe("invalidValue");
    expect(userError({ op: "replace", path: "title" })).toBe("invalidValue");
    expect(userError({ op: "add", path: "title", value: null })).toBe("invalidValue");
    expect(userError({ op: "remove" })).toBe("noTarget");
  });

  it("applies operations in order and refuses all of them when one fails", () => {
    const ops = [
      { op: "add", path: "title", value: "Dr" },
      { op: "replace", path: "title", value: "Prof" },
    ];
    expect(patchUser(ops).title).toBe("Prof");
    expect(userError(...ops, { op: "replace", path: "name[", value: 1 })).toBe("invalidPath");
  });

  it("returns a new object and leaves the input untouched", () => {
    const input = user();
    const result = applyPatch(input, [{ op: "replace", path: "name.givenName", value: "Bo" }], USER_TARGET);
    expect(input).toEqual(user());
    expect(result).not.toBe(input);
    (result.emails as Json[])[0]!.value = "changed";
    expect(input).toEqual(user());
  });
});

describe("paths", () => {
  it("matches names case-insensitively and writes the schema's names", () => {
    const result = patchUser([
      { op: "replace", path: "UserName", value: "bob" },
      { op: "replace", path: "NAME.GIVENNAME", value: "Bo" },
    ]);
    expect(result.userName).toBe("bob");
    expect(result).not.toHaveProperty("UserName");
    expect(result.name).toEqual({ givenName: "Bo", familyName: "Lee", formatted: "Ann Lee" });
  });

  it("accepts the core URN prefix and keeps extension attributes under their URN", () => {
    expect(patchUser([{ op: "replace", path: `${USER_SCHEMA}:userName`, value: "bob" }]).userName).toBe(
      "bob",
    );
    const path = `${ENT.toUpperCase()}:EmployeeNumber`;
    expect(patchUser([{ op: "replace", path, value: "7" }])[ENT]).toEqual({ employeeNumber: "7" });
    const without = user();
    delete without[ENT];
    expect(patchUser([{ op: "add", path, value: "8" }], without)[ENT]).toEqual({ employeeNumber: "8" });
    expect(patchUser([{ op: "remove", path }])).not.toHaveProperty(ENT);
  });

  it("ignores attributes Staffgate does not keep, as POST and PUT do (Entra sends them)", () => {
    for (const path of ["nickName", "name.middleName", "employeeNumber", `${USER_SCHEMA}:employeeNumber`]) {
      expect(patchUser([{ op: "replace", path, value: "x" }]), path).toEqual(user());
    }
    const mixed = patchUser([
      { op: "Replace", path: "name.givenName", value: "Entra" },
      {
        op: "Add",
        path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
        value: "Oncology",
      },
    ]);
    expect((mixed.name as Json).givenName).toBe("Entra");
    expect(patchUser([{ op: "replace", value: { nickName: "x", title: "Dr" } }]).title).toBe("Dr");
  });

  it("refuses malformed paths with invalidPath", () => {
    for (const path of [
      "name.givenName.x",
      'emails[type eq "work"',
      'emails[type eq "work"]x',
      'name[givenName eq "Ann"]',
      // Not attribute names at all (RFC 7644 §3.10): were taken for unkept attributes and ignored.
      "123",
      "a\u0007b",
      "a\r\nb",
      "😀x",
      "na me",
      "name.",
      ".name",
      "title\u202e",
      'emails[type eq "work"].value]',
      "urn:x y:title",
    ]) {
      expect(userError({ op: "replace", path, value: "x" }), path).toBe("invalidPath");
    }
    // Well-formed names Staffgate does not keep are still ignored, an unknown extension's too.
    for (const path of ["x-custom_1", "urn:ietf:params:scim:schemas:extension:Acme:2.0:User:costCenter"]) {
      expect(patchUser([{ op: "replace", path, value: "x" }]), path).toEqual(user());
    }
    expect(patchGroup([{ op: "remove", path: 'members[value eq "u1"].$ref' }])).toEqual(group());
  });

  it("ignores operations on values of a type not kept (Entra's mobile and fax numbers)", () => {
    for (const op of [
      { op: "replace", path: 'phoneNumbers[type eq "mobile"].value', value: "+358401234567" },
      { op: "add", path: 'phoneNumbers[type eq "fax"].value', value: "+358401234568" },
      { op: "remove", path: 'phoneNumbers[type eq "Mobile"]' },
      { op: "add", path: 'emails[type eq "home"].value', value: "home@x.org" },
    ]) {
      expect(applyPatch(user(), [op], KEPT_TARGET), op.path).toEqual(user());
    }
    const work = applyPatch(
      user(),
      [{ op: "replace", path: 'phoneNumbers[type eq "WORK"].value', value: "+358401234569" }],
      KEPT_TARGET,
    );
    expect(work.phoneNumbers).toEqual([{ value: "+358401234569", type: "work" }]);
  });

  it("ignores well-formed paths to what the schema does not define, filters included (Entra's addresses)", () => {
    for (const path of [
      "department",
      "name.middleName",
      'emails[type eq "work"].nope',
      'addresses[type eq "work"].locality',
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    ]) {
      expect(patchUser([{ op: "add", path, value: "x" }]), path).toEqual(user());
    }
    expect(userError({ op: "add", path: "addresses[type eq].locality", value: "x" })).toBe("invalidFilter");
  });

  it("refuses a bad filter inside brackets with invalidFilter", () => {
    for (const path of ["emails[type eq]", "emails[]", 'emails[nope eq "x"]', "emails[primary gt true]"]) {
      expect(userError({ op: "remove", path }), path).toBe("invalidFilter");
    }
  });

  it("does not end the filter at a bracket inside a quoted literal", () => {
    const base = user({ emails: [{ value: "a]b@x.org", type: "work" }] });
    const result = patchUser(
      [{ op: "replace", path: 'emails[value eq "a]b@x.org"].type', value: "home" }],
      base,
    );
    expect(result.emails).toEqual([{ value: "a]b@x.org", type: "home" }]);
  });
});

describe("without a path", () => {
  it("applies each key as a path (Okta deactivation)", () => {
    expect(patchUser([{ op: "replace", value: { active: false } }]).active).toBe(false);
    expect(patchUser([{ op: "add", value: { USERNAME: "bob", title: "Dr" } }])).toMatchObject({
      userName: "bob",
      title: "Dr",
    });
  });

  it("accepts dotted and URN-prefixed keys (Azure AD)", () => {
    const result = patchUser([
      { op: "replace", value: { "name.familyName": "B", [`${ENT}:employeeNumber`]: "7" } },
    ]);
    expect(result.name).toEqual({ givenName: "Ann", familyName: "B", formatted: "Ann Lee" });
    expect(result[ENT]).toEqual({ employeeNumber: "7" });
  });

  it("accepts an extension's attributes grouped under its URN", () => {
    expect(patchUser([{ op: "replace", value: { [ENT]: { EmployeeNumber: "9" } } }])[ENT]).toEqual({
      employeeNumber: "9",
    });
    expect(userError({ op: "replace", value: { [ENT]: "9" } })).toBe("invalidValue");
  });

  it("refuses a value that is not an object, and unknown keys", () => {
    expect(userError({ op: "replace", value: "x" })).toBe("invalidValue");
    expect(userError({ op: "replace", value: [{ active: false }] })).toBe("invalidValue");
    expect(userError({ op: "replace", value: { "name[": "x" } })).toBe("invalidPath");
  });
});

describe("add", () => {
  it("sets a single-valued attribute and merges into a complex one", () => {
    expect(patchUser([{ op: "add", path: "userName", value: "bob" }]).userName).toBe("bob");
    expect(patchUser([{ op: "add", path: "name", value: { givenName: "Bo" } }]).name).toEqual({
      givenName: "Bo",
      familyName: "Lee",
      formatted: "Ann Lee",
    });
  });

  it("appends to a multi-valued attribute, one value or several, skipping duplicates", () => {
    const home = { value: "ann@home.org", type: "home" };
    expect(patchUser([{ op: "add", path: "emails", value: home }]).emails).toHaveLength(2);
    const ops = [{ op: "add", path: "emails", value: [home, home, { value: "ann@x.org", type: "work" }] }];
    expect(patchUser(ops).emails).toEqual([{ value: "ann@x.org", type: "work", primary: true }, home]);
  });

  it("adds group members as Azure AD and Okta send them", () => {
    const azure = patchGroup([{ op: "Add", path: "members", value: [{ value: "u2" }] }]);
    expect(azure.members).toEqual([{ value: "u1", display: "Ann Lee" }, { value: "u2" }]);
    const okta = patchGroup([{ op: "add", path: "members", value: [{ value: "u3", display: "x" }] }]);
    expect(okta.members).toEqual([
      { value: "u1", display: "Ann Lee" },
      { value: "u3", display: "x" },
    ]);
    expect(patchGroup([{ op: "Add", path: "members", value: [{ value: "u1" }] }])).toEqual(group());
  });

  it("moves primary to a newly added primary value", () => {
    const value = { value: "b@x.org", type: "home", primary: true };
    expect(patchUser([{ op: "add", path: "emails", value }]).emails).toEqual([
      { value: "ann@x.org", type: "work", primary: false },
      value,
    ]);
  });

  it("sets a sub-attribute on every match of a filter, or creates the element from its equalities", () => {
    const base = user({ emails: [{ value: "a@x.org", type: "work" }, { value: "b@x.org" }] });
    const set = patchUser([{ op: "add", path: 'emails[type eq "work"].primary', value: true }], base);
    expect(set.emails).toEqual([{ value: "a@x.org", type: "work", primary: true }, { value: "b@x.org" }]);
    const created = patchUser([{ op: "add", path: 'emails[type eq "home"].value', value: "c@x.org" }], base);
    expect((created.emails as Json[])[2]).toEqual({ type: "home", value: "c@x.org" });
    expect(userError({ op: "add", path: 'emails[value co "zzz"].type', value: "home" })).toBe("noTarget");
  });
});

describe("replace", () => {
  it("sets a single-valued attribute and swaps a whole multi-valued one", () => {
    expect(patchUser([{ op: "Replace", path: "name.givenName", value: "Ann2" }]).name).toMatchObject({
      givenName: "Ann2",
    });
    const phones = [{ value: "+33999", type: "mobile" }];
    expect(patchUser([{ op: "replace", path: "phoneNumbers", value: phones }]).phoneNumbers).toEqual(phones);
  });

  it("keeps the sub-attributes a complex value leaves out (RFC 7644 §3.5.2.3)", () => {
    expect(patchUser([{ op: "replace", path: "name", value: { familyName: "Kim" } }]).name).toEqual({
      givenName: "Ann",
      familyName: "Kim",
      formatted: "Ann Lee",
    });
  });

  it("replaces the matching elements only, merging an object value", () => {
    const base = user({
      emails: [
        { value: "a@x.org", type: "work", primary: true },
        { value: "b@x.org", type: "home" },
      ],
    });
    const sub = patchUser([{ op: "replace", path: 'emails[type eq "home"].value', value: "c@x.org" }], base);
    expect(sub.emails).toEqual([
      { value: "a@x.org", type: "work", primary: true },
      { value: "c@x.org", type: "home" },
    ]);
    const whole = patchUser(
      [{ op: "replace", path: 'emails[type eq "work"]', value: { value: "z@x.org" } }],
      base,
    );
    expect((whole.emails as Json[])[0]).toEqual({ value: "z@x.org", type: "work", primary: true });
  });

  it("replaces the work email by filter; a replace whose filter matches nothing is noTarget, an add creates it", () => {
    const op = { op: "replace", path: 'emails[type eq "work"].value', value: "new@x.org" };
    expect(patchUser([op]).emails).toEqual([{ value: "new@x.org", type: "work", primary: true }]);
    const untyped = user({ emails: [{ value: "old@x.org" }] });
    expect(() => applyPatch(untyped, [op], USER_TARGET)).toThrow(/matches the filter/);
    const added = patchUser([{ ...op, op: "add" }], untyped);
    expect(added.emails).toEqual([{ value: "old@x.org" }, { type: "work", value: "new@x.org" }]);
  });

  it("refuses a filter that matches nothing and describes no element", () => {
    const path = 'emails[type eq "home" or type eq "other"].value';
    expect(userError({ op: "replace", path, value: "x@x.org" })).toBe("noTarget");
    expect(groupError({ op: "replace", path: 'members[value sw "u9"].value', value: "u9" })).toBe("noTarget");
  });

  it("removes the attribute when the value is null", () => {
    expect(
      patchUser([{ op: "replace", path: "title", value: null }], user({ title: "Dr" })),
    ).not.toHaveProperty("title");
    expect(patchUser([{ op: "replace", path: "name.givenName", value: null }]).name).toEqual({
      familyName: "Lee",
      formatted: "Ann Lee",
    });
    expect(userError({ op: "replace", path: "userName", value: null })).toBe("invalidValue");
  });
});

describe("remove", () => {
  it("deletes single-valued attributes and sub-attributes", () => {
    expect(patchUser([{ op: "remove", path: "externalId" }])).not.toHaveProperty("externalId");
    expect(patchUser([{ op: "remove", path: "name.familyName" }]).name).toEqual({
      givenName: "Ann",
      formatted: "Ann Lee",
    });
    expect(patchUser([{ op: "remove", path: "title" }])).toEqual(user());
  });

  it("refuses removing a required attribute, but not one of its sub-attributes", () => {
    expect(userError({ op: "remove", path: "userName" })).toBe("invalidValue");
    expect(userError({ op: "remove", path: "emails" })).toBe("invalidValue");
    expect(userError({ op: "remove", path: 'emails[type eq "work"]' })).toBe("invalidValue");
    expect(groupError({ op: "remove", path: "displayName" })).toBe("invalidValue");
    expect(patchUser([{ op: "remove", path: 'emails[type eq "work"].primary' }]).emails).toEqual([
      { value: "ann@x.org", type: "work" },
    ]);
  });

  it("removes a whole multi-valued attribute", () => {
    expect(patchUser([{ op: "remove", path: "phoneNumbers" }])).not.toHaveProperty("phoneNumbers");
    expect(patchGroup([{ op: "remove", path: "members" }])).not.toHaveProperty("members");
  });

  it("removes only the listed members (Azure AD), and an absent one quietly", () => {
    const base = group({ members: [{ value: "u1", display: "Ann" }, { value: "u2" }] });
    const ops = [{ op: "Remove", path: "members", value: [{ value: "u1" }] }];
    expect(patchGroup(ops, base).members).toEqual([{ value: "u2" }]);
    expect(patchGroup([{ op: "Remove", path: "members", value: [{ value: "u9" }] }], base)).toEqual(base);
  });

  it("removes the members a filter matches (Okta), and none without an error", () => {
    const base = group({ members: [{ value: "u1" }, { value: "u2" }] });
    expect(patchGroup([{ op: "remove", path: 'members[value eq "u1"]' }], base).members).toEqual([
      { value: "u2" },
    ]);
    expect(patchGroup([{ op: "remove", path: 'members[value eq "u9"]' }], base)).toEqual(base);
    expect(patchGroup([{ op: "remove", path: 'members[value eq "u1"]' }], group())).not.toHaveProperty(
      "members",
    );
  });

  it("removes a sub-attribute from the matching elements only", () => {
    const base = user({
      phoneNumbers: [
        { value: "+1", type: "work" },
        { value: "+2", type: "home" },
      ],
    });
    const result = patchUser([{ op: "remove", path: 'phoneNumbers[type eq "home"].type' }], base);
    expect(result.phoneNumbers).toEqual([{ value: "+1", type: "work" }, { value: "+2" }]);
  });
});

describe("mutability", () => {
  it("refuses changes to read-only attributes", () => {
    expect(userError({ op: "replace", path: "id", value: "u2" })).toBe("mutability");
    expect(userError({ op: "remove", path: "id" })).toBe("mutability");
    expect(userError({ op: "replace", path: "meta.version", value: 'W/"2"' })).toBe("mutability");
    expect(userError({ op: "add", path: "groups", value: [{ value: "g2" }] })).toBe("mutability");
  });

  it("takes a display name like any writable value (the user rules derive it again and keep none)", () => {
    expect(patchUser([{ op: "replace", path: "displayName", value: "X" }]).displayName).toBe("X");
    expect(patchUser([{ op: "replace", value: { name: { formatted: "X" } } }]).name).toMatchObject({
      formatted: "X",
    });
  });

  it("accepts read-only values echoed unchanged, as a no-op", () => {
    const current = user();
    const echo = ["id", "displayName", "meta", "groups", "name", "schemas"].map((path) => ({
      op: "replace",
      path,
      value: current[path],
    }));
    expect(patchUser([...echo, { op: "add", value: { id: "u1", displayName: "Ann Lee" } }])).toEqual(user());
  });

  it("refuses patching schemas", () => {
    expect(userError({ op: "replace", path: "schemas", value: [USER_SCHEMA] })).toBe("mutability");
    expect(userError({ op: "remove", path: "schemas" })).toBe("mutability");
  });

  it("allows an immutable sub-attribute on a new element only", () => {
    expect(groupError({ op: "replace", path: 'members[value eq "u1"].value', value: "u2" })).toBe(
      "mutability",
    );
    expect(groupError({ op: "replace", path: 'members[value eq "u1"]', value: { value: "u2" } })).toBe(
      "mutability",
    );
    expect(groupError({ op: "replace", path: 'members[value eq "u1"].display', value: "X" })).toBe(
      "mutability",
    );
    const swapped = patchGroup([{ op: "replace", path: "members", value: [{ value: "u2" }] }]);
    expect(swapped.members).toEqual([{ value: "u2" }]);
  });
});

describe("values", () => {
  it("accepts booleans and Azure AD's boolean strings, stored as booleans", () => {
    expect(patchUser([{ op: "Replace", path: "active", value: "False" }]).active).toBe(false);
    const inactive = user({ active: false });
    for (const value of [true, "True", "true"]) {
      expect(patchUser([{ op: "replace", path: "active", value }], inactive).active).toBe(true);
    }
    expect(patchUser([{ op: "replace", path: "active", value: "false" }]).active).toBe(false);
    for (const value of ["yes", 0, 1, {}, ["true"]]) {
      expect(userError({ op: "replace", path: "active", value }), String(value)).toBe("invalidValue");
    }
  });

  it("refuses non-strings for string attributes", () => {
    for (const value of [42, true, { x: 1 }, ["a"]]) {
      expect(userError({ op: "replace", path: "title", value }), String(value)).toBe("invalidValue");
    }
    expect(userError({ op: "replace", path: 'emails[type eq "work"].value', value: 1 })).toBe("invalidValue");
  });

  it("wants objects for complex values and knows their sub-attributes", () => {
    expect(userError({ op: "replace", path: "name", value: "Ann Lee" })).toBe("invalidValue");
    expect(userError({ op: "add", path: "emails", value: ["a@x.org"] })).toBe("invalidValue");
    expect(userError({ op: "add", path: "emails", value: [{ value: "a@x.org", label: "x" }] })).toBe(
      "invalidPath",
    );
    expect(userError({ op: "replace", path: "name", value: { middleName: "Q" } })).toBe("invalidPath");
  });
});

describe("property: simple string attributes", () => {
  const PATHS = ["userName", "title", "name.givenName", "name.familyName", "externalId"] as const;
  type Step = {
    kind: "add" | "replace" | "remove" | "null" | "pathless";
    path: (typeof PATHS)[number];
    value: string;
  };
  const step = fc.record({
    kind: fc.constantFrom("add", "replace", "remove", "null", "pathless") as fc.Arbitrary<Step["kind"]>,
    path: fc.constantFrom(...PATHS),
    value: fc.string({ maxLength: 6 }),
  });
  const base = fc.record(
    {
      userName: fc.string({ maxLength: 6 }),
      title: fc.string({ maxLength: 6 }),
      externalId: fc.string({ maxLength: 6 }),
      name: fc.record({ givenName: fc.string(), familyName: fc.string() }, { requiredKeys: [] }),
    },
    { requiredKeys: ["userName"] },
  );

  const toOperation = (s: Step): PatchOperation => {
    if (s.kind === "pathless") return { op: "replace", value: { [s.path]: s.value } };
    if (s.kind === "remove") return { op: "remove", path: s.path };
    return {
      op: s.kind === "null" ? "replace" : s.kind,
      path: s.path,
      value: s.kind === "null" ? null : s.value,
    };
  };

  function reference(start: Json, steps: readonly Step[]): Json | "invalidValue" {
    const r: Json = structuredClone(start);
    for (const s of steps) {
      const clear = s.kind === "remove" || s.kind === "null";
      if (clear && s.path === "userName") return "invalidValue";
      const [head, tail] = s.path.split(".") as [string, string | undefined];
      if (tail === undefined) {
        if (clear) delete r[head];
        else r[head] = s.value;
        continue;
      }
      const inner: Json = { ...(r[head] as Json | undefined) };
      if (clear) delete inner[tail];
      else inner[tail] = s.value;
      if (Object.keys(inner).length > 0) r[head] = inner;
      // name is required: emptying it is refused (clearing what is not there changes nothing).
      else if (head === "name" && r[head] !== undefined) return "invalidValue";
      else delete r[head];
    }
    return r;
  }

  it("equals a plain fold and never mutates its input", async () => {
    await fc.assert(
      fc.property(base, fc.array(step, { minLength: 1, maxLength: 8 }), (start, steps) => {
        const snapshot = structuredClone(start);
        const input = deepFreeze(structuredClone(start));
        const expected = reference(start, steps);
        const run = () => applyPatch(input, steps.map(toOperation), USER_TARGET);
        if (expected === "invalidValue") expect(errorOf(run)).toBe("invalidValue");
        else expect(run()).toEqual(expected);
        expect(input).toEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });
});
