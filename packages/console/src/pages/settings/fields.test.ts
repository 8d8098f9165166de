import { IDLE_TIMEOUT_MAX_MINUTES as CONTRACT_MAX, SETTINGS_FIELDS } from "@staffgate/contract";
import { describe, expect, it } from "vitest";
import { boundsError, IDLE_TIMEOUT_MAX_MINUTES, type NumberSettingDef, SETTING_GROUPS } from "./fields.ts";

describe("the console's copy of the idle-timeout bound", () => {
  it("equals the contract's (the console cannot import it without bundling zod)", () => {
    expect(IDLE_TIMEOUT_MAX_MINUTES).toBe(CONTRACT_MAX);
  });
});

describe("the console's refusal of a setting out of its bounds", () => {
  const numbers = SETTING_GROUPS.flatMap((g) => g.fields).filter(
    (d): d is NumberSettingDef => d.kind === "number",
  );
  it("is the contract's, word for word, just below and just above each bound", () => {
    expect(numbers.length).toBeGreaterThan(5);
    for (const def of numbers) {
      const schema = SETTINGS_FIELDS[def.key as keyof typeof SETTINGS_FIELDS];
      for (const value of [def.min - 1, def.max + 1]) {
        const parsed = schema.safeParse(value);
        expect(parsed.success, `${def.key} = ${value}`).toBe(false);
        expect(boundsError(def, value), `${def.key} = ${value}`).toBe(parsed.error?.issues[0]?.message);
      }
      for (const value of [def.min, def.max]) {
        expect(schema.safeParse(value).success, `${def.key} = ${value}`).toBe(true);
        expect(boundsError(def, value)).toBeUndefined();
      }
    }
  });
});
