import { describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { readScimGroup } from "./scim-group.rules.ts";
import { ensureExternalIdText, readScimUser } from "./scim-user.rules.ts";

const body = (over: Record<string, unknown> = {}) => ({
  userName: "ann",
  name: { givenName: "Ann", familyName: "Lee" },
  emails: [{ value: "ann@x.org", type: "work" }],
  ...over,
});

function problemOf(run: () => unknown): { code: string; path: string | undefined } | "none" {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, path: error.errors?.[0]?.path };
    throw error;
  }
  return "none";
}

describe("readScimUser: multi-valued attributes", () => {
  it("takes the primary entry's value, else the first one's", () => {
    const emails = [{ value: "home@x.org" }, { value: "work@x.org", primary: true }];
    expect(readScimUser(body({ emails })).email).toBe("work@x.org");
    expect(
      readScimUser(body({ emails: [{ value: "a@x.org" }, { value: "b@x.org", primary: "True" }] })).email,
    ).toBe("b@x.org");
    expect(
      readScimUser(body({ emails: [{ value: "a@x.org", primary: false }, { value: "b@x.org" }] })).email,
    ).toBe("a@x.org");
  });

  it("keeps the work entry (or one without a type) before a primary of another type", () => {
    const phoneNumbers = [
      { type: "mobile", value: "+358401111111", primary: true },
      { type: "Work", value: "+358402222222" },
      { type: "fax", value: "+358403333333" },
    ];
    expect(readScimUser(body({ phoneNumbers })).phone).toBe("+358402222222");
    // A phone number of another type alone is not kept; an email is required, so one is.
    expect(
      readScimUser(body({ phoneNumbers: [{ type: "mobile", value: "+358401111111" }] })).phone,
    ).toBeNull();
    expect(readScimUser(body({ emails: [{ type: "home", value: "h@x.org" }] })).email).toBe("h@x.org");
  });

  it("refuses a primary that is not a boolean, naming the entry, instead of reading it as false", () => {
    for (const primary of [{}, [], 1, "yes"]) {
      const emails = [{ value: "a@x.org" }, { value: "b@x.org", primary }];
      expect(
        problemOf(() => readScimUser(body({ emails }))),
        JSON.stringify(primary),
      ).toEqual({
        code: "SCIM_INVALID_VALUE",
        path: "emails[1].primary",
      });
    }
  });

  it("refuses an active that is not a boolean", () => {
    for (const active of [{}, [], 0, "yes"]) {
      expect(
        problemOf(() => readScimUser(body({ active }))),
        JSON.stringify(active),
      ).toEqual({
        code: "SCIM_INVALID_VALUE",
        path: "active",
      });
    }
  });
});

describe("readScimUser and readScimGroup: externalId and types", () => {
  it("refuses a type that is not text, naming the entry, instead of reading it as another type", () => {
    for (const type of [{}, [], 5, true]) {
      const phoneNumbers = [{ value: "+358401111111", type }];
      expect(
        problemOf(() => readScimUser(body({ phoneNumbers }))),
        JSON.stringify(type),
      ).toEqual({
        code: "SCIM_INVALID_VALUE",
        path: "phoneNumbers[0].type",
      });
      const emails = [
        { value: "a@x.org", type: "work" },
        { value: "b@x.org", type },
      ];
      expect(problemOf(() => readScimUser(body({ emails })))).toEqual({
        code: "SCIM_INVALID_VALUE",
        path: "emails[1].type",
      });
    }
  });

  it("takes an externalId of one line up to 255 characters, and refuses control, bidi and longer ones", () => {
    const ok = ["ext-1", "E".repeat(255), "00u1a2b3c4D5e6F7g8h9", "ключ-7"];
    for (const externalId of ok) {
      expect(readScimUser(body({ externalId })).externalId).toBe(externalId);
      expect(readScimGroup({ displayName: "Nurses", externalId }).externalId).toBe(externalId);
      expect(() => ensureExternalIdText(externalId)).not.toThrow();
    }
    expect(readScimUser(body({ externalId: "" })).externalId).toBeNull();
    expect(problemOf(() => readScimUser(body({ externalId: 7 })))).toEqual({
      code: "SCIM_INVALID_VALUE",
      path: "externalId",
    });
    // Judged when the id changes (scim-write.ts), so one stored before the rule blocks nothing.
    for (const externalId of [
      "ext\r\nBcc: x@y.example",
      "\u202eEXT",
      "a\u0007b",
      "E".repeat(256),
      "x\ud800",
    ]) {
      expect(
        problemOf(() => ensureExternalIdText(externalId)),
        externalId.slice(0, 9),
      ).toEqual({
        code: "SCIM_INVALID_VALUE",
        path: "externalId",
      });
    }
  });
});
