import { describe, expect, it } from "vitest";
import { scrollBoxLabel } from "./scrollBoxLabel.ts";

describe("scrollBoxLabel", () => {
  it("keeps the caption when no region around the box has it", () => {
    expect(scrollBoxLabel("Emails, newest first", [])).toBe("Emails, newest first");
    expect(scrollBoxLabel("Users", ["Your open emergency access"])).toBe("Users");
  });

  it("gives a distinct name inside a region of the same name (landmark-unique)", () => {
    expect(scrollBoxLabel("All emergency access", ["All emergency access"])).toBe(
      "All emergency access (table)",
    );
    expect(scrollBoxLabel("All emergency access", [" all emergency access "])).toBe(
      "All emergency access (table)",
    );
  });
});
