import { describe, expect, it } from "vitest";
import { noMatchWords, PICKABLE_STATUSES, pickNote } from "./pickerWords.ts";

describe("the user picker's words", () => {
  it("lists invited users too, and says when an invited user's access starts", () => {
    expect(PICKABLE_STATUSES).toBe("active,invited");
    expect(pickNote({ status: "invited" })).toBe("Invited: access starts when they accept the invitation");
    expect(pickNote({ status: "active" })).toBeNull();
  });

  it("says no match with the search, and no empty quotes when nothing was typed", () => {
    expect(noMatchWords("Ada")).toBe("No active or invited user matches “Ada”.");
    expect(noMatchWords("  ")).toBe("There is no active or invited user to choose.");
    expect(noMatchWords("")).not.toMatch(/“”/);
  });
});
