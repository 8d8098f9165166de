import { IDLE_TIMEOUT_MAX_MINUTES as CONTRACT_MAX } from "@staffgate/contract";
import { describe, expect, it } from "vitest";
import { IDLE_TIMEOUT_MAX_MINUTES } from "./fields.ts";

describe("the console's copy of the idle-timeout bound", () => {
  it("equals the contract's (the console cannot import it without bundling zod)", () => {
    expect(IDLE_TIMEOUT_MAX_MINUTES).toBe(CONTRACT_MAX);
  });
});
