/** The suggested URL ID always passes the contract's slug rule (or is empty, and then said as missing). */
import { WorkspaceSlug } from "@staffgate/contract";
import { describe, expect, it } from "vitest";
import { slugOf } from "./slug.ts";

describe("a workspace name's suggested URL ID", () => {
  it("is lower-case, hyphenated, without accents or other characters", () => {
    expect(slugOf("North Clinic")).toBe("north-clinic");
    expect(slugOf("  Linac Suite A — Room 2 ")).toBe("linac-suite-a-room-2");
    expect(slugOf("Zürich Ré-Éducation")).toBe("zurich-re-education");
    expect(slugOf("O'Brien & Sons!!")).toBe("o-brien-sons");
    expect(slugOf("!!!")).toBe("");
  });

  it("keeps to 40 characters without a trailing hyphen, and passes the contract's rule", () => {
    const long = slugOf("Department of Radiation Oncology and Medical Physics");
    expect(long.length).toBeLessThanOrEqual(40);
    for (const name of [
      "Department of Radiation Oncology and Medical Physics",
      "a b",
      "Ward 7",
      "x".repeat(60),
    ]) {
      expect(WorkspaceSlug.safeParse(slugOf(name)).success).toBe(true);
    }
  });
});
