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

  it("does not say the field's word twice when the phrase starts with it", () => {
    expect(errorSentence("New password", "password must be at least 15 characters")).toBe(
      "New password must be at least 15 characters",
    );
    expect(errorSentence("Password", "password is a commonly used password: choose another")).toBe(
      "Password is a commonly used password: choose another",
    );
    // Only the whole word: "passwords" is not "password".
    expect(errorSentence("Password", "passwords differ")).toBe("Password passwords differ");
  });

  it("sets a phrase that is not a predicate apart from the name", () => {
    expect(errorSentence("User ID", "no such user")).toBe("User ID: no such user");
  });

  it("leaves a sentence as it is", () => {
    expect(errorSentence("Practice name", "Practice name is required")).toBe("Practice name is required");
    expect(errorSentence("Role", "Choose the role the integration acts with.")).toBe(
      "Choose the role the integration acts with.",
    );
    expect(errorSentence("(optional)", "is required")).toBe("is required");
  });
});
