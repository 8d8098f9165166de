import { describe, expect, it } from "vitest";
import { errorSentence } from "./fieldError.ts";

describe("errorSentence", () => {
  it("names the field by its label when the API's message is a phrase", () => {
    expect(errorSentence("Name", "is required")).toBe("Name is required");
    expect(errorSentence("Lockout threshold", "must be at least 1")).toBe(
      "Lockout threshold must be at least 1",
    );
    expect(errorSentence("Expires (optional)", "must be in the future")).toBe(
      "Expires must be in the future",
    );
    expect(errorSentence("Note:", "is required: say what you checked")).toBe(
      "Note is required: say what you checked",
    );
  });

  it("leaves a sentence as it is", () => {
    expect(errorSentence("Practice name", "Practice name is required")).toBe("Practice name is required");
    expect(errorSentence("Role", "Choose the role the integration acts with.")).toBe(
      "Choose the role the integration acts with.",
    );
    expect(errorSentence("(optional)", "is required")).toBe("is required");
  });
});
