/** What the user form can tell before asking the server (it must never refuse what the server takes). */
import { describe, expect, it } from "vitest";
import { EMPTY_VALUES, missingChoices, newUserValues, passwordBody } from "./userFormValues.ts";

const filled = { ...EMPTY_VALUES, firstName: "Ada", lastName: "L", username: "ada", roleId: "rol_1" };

describe("the user form's own checks", () => {
  it("names a malformed email in the same round as an empty role", () => {
    const found = missingChoices({ ...filled, roleId: "", email: "ada@@bad" });
    expect(Object.keys(found).sort()).toEqual(["email", "roleId"]);
  });

  it("takes every shape of address the server takes", () => {
    for (const email of [
      "a@b.co",
      "first.last+tag@sub.example.org",
      "o'neil@example.ie",
      " ada@example.org ",
    ])
      expect(missingChoices({ ...filled, email }).email, email).toBeUndefined();
    for (const email of ["ada", "ada@", "@example.org", "ada@example", "a b@example.org", "ada@@example.org"])
      expect(missingChoices({ ...filled, email }).email, email).toBeDefined();
  });
});

describe("Edit's Password part (W8)", () => {
  const user = { ...filled, email: "ada@example.org", passwordMode: "keep" as const };

  it("asks for a new password only when one is to be typed, and sends what was chosen", () => {
    expect(missingChoices({ ...user, passwordMode: "set" }, "edit", user).password).toBe(
      "Enter a new password, or keep the current one.",
    );
    for (const passwordMode of ["keep", "random"] as const)
      expect(missingChoices({ ...user, passwordMode }, "edit", user).password).toBeUndefined();
    expect(passwordBody(user)).toBeNull();
    expect(passwordBody({ ...user, passwordMode: "random", mustChangePassword: false })).toEqual({
      random: true,
      mustChangePassword: false,
    });
    expect(passwordBody({ ...user, passwordMode: "set", password: "x".repeat(15) })).toEqual({
      password: "x".repeat(15),
      mustChangePassword: true,
    });
  });

  it("sends no password chosen before “Virtual user” was ticked (the part is hidden then)", () => {
    expect(passwordBody({ ...user, virtual: true, passwordMode: "random" })).toBeNull();
    expect(
      passwordBody({ ...user, virtual: true, passwordMode: "set", password: "x".repeat(15) }),
    ).toBeNull();
  });
});

describe("a creator active only in some workspaces (docs/decisions.md)", () => {
  const workspaces = [{ id: "wsp_a" }, { id: "wsp_b" }, { id: "wsp_c" }];

  it("starts a new user in the creator's workspaces that exist, or in all for one active everywhere", () => {
    expect(newUserValues("all", workspaces)).toBe(EMPTY_VALUES);
    const limited = newUserValues(["wsp_c", "wsp_gone", "wsp_a"], workspaces);
    expect([limited.accessAll, limited.accessIds]).toEqual([false, ["wsp_a", "wsp_c"]]);
  });

  it("asks for a tick without offering “all”, and asks nothing of one active nowhere", () => {
    const none = { ...filled, email: "ada@example.org", accessAll: false, accessIds: [] };
    expect(missingChoices(none, "create", undefined, ["wsp_a"]).workspaceAccess).toBe(
      "Tick at least one workspace: with none ticked the user is active in no workspace.",
    );
    expect(missingChoices(none).workspaceAccess).toMatch(/or choose “Active in all workspaces”/);
    expect(missingChoices(none, "create", undefined, []).workspaceAccess).toBeUndefined();
  });
});
