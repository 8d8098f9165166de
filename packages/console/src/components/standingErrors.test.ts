import { describe, expect, it } from "vitest";
import { standingErrors } from "./standingErrors.ts";

const at = (v: Record<string, unknown>, path: string) => v[path];

describe("standingErrors", () => {
  it("drops the error of a changed value and keeps the others", () => {
    const errors = { name: "is required", email: "is taken" };
    expect(standingErrors(errors, { name: "", email: "a@b" }, { name: "Ann", email: "a@b" }, at)).toEqual({
      email: "is taken",
    });
  });

  it("shows the error again when the value is changed back to the refused one", () => {
    expect(standingErrors({ name: "is required" }, { name: "" }, { name: "" }, at)).toEqual({
      name: "is required",
    });
  });

  it("keeps an error that names no value", () => {
    expect(standingErrors({ "body.x": "unknown" }, { name: "" }, { name: "Ann" }, at)).toEqual({
      "body.x": "unknown",
    });
  });
});
