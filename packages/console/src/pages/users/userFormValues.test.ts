/** What the user form can tell before asking the server (it must never refuse what the server takes). */
import { describe, expect, it } from "vitest";
import { EMPTY_VALUES, missingChoices } from "./userFormValues.ts";

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
