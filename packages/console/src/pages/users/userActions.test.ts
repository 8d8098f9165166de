import { describe, expect, it } from "vitest";
import { accessBeyond } from "./userActions.ts";

const names: Record<string, string> = { w1: "Oncology", w2: "Physics", w3: "Imaging" };
const name = (id: string) => names[id] ?? id;

describe("a user active beyond the caller's workspaces", () => {
  it("is never beyond a caller active everywhere", () => {
    expect(accessBeyond("all", "all", name)).toBeNull();
    expect(accessBeyond("all", ["w1"], name)).toBeNull();
  });

  it("is beyond a limited caller when active everywhere, or somewhere the caller is not", () => {
    expect(accessBeyond(["w1"], "all", name)).toBe("is active in every workspace, and you are not");
    expect(accessBeyond(["w1"], ["w1", "w2", "w3"], name)).toBe(
      "is active in workspaces you are not: Physics, Imaging",
    );
  });

  it("is within a limited caller's workspaces when every one of theirs is the caller's", () => {
    expect(accessBeyond(["w1", "w2"], ["w2"], name)).toBeNull();
    expect(accessBeyond(["w1"], [], name)).toBeNull();
  });
});
