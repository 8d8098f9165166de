import { describe, expect, it } from "vitest";
import { rebaseStale } from "./staleSave.ts";

const keys = [
  { key: "lockoutThreshold", label: "Lockout threshold" },
  { key: "lockoutMinutes", label: "Lockout duration" },
  { key: "rememberDeviceDays", label: "Remember device" },
] as const;
type K = (typeof keys)[number]["key"];

describe("rebaseStale", () => {
  it("shows their values with mine on top, naming what they changed", () => {
    const read = { lockoutThreshold: "5", lockoutMinutes: "15", rememberDeviceDays: "30" };
    const now = { lockoutThreshold: "5", lockoutMinutes: "15", rememberDeviceDays: "7" };
    const typed = { lockoutThreshold: "9", lockoutMinutes: "20", rememberDeviceDays: "30" };
    const out = rebaseStale<K, string>(keys, read, now, typed, ["lockoutThreshold", "lockoutMinutes"]);
    expect(out.drafts).toEqual({ lockoutThreshold: "9", lockoutMinutes: "20", rememberDeviceDays: "7" });
    expect(out.message).toBe(
      "Nothing was saved: someone else changed the settings since this page opened (Remember device). Their values are shown now, with your changes kept. Check them and save again.",
    );
  });

  it("says where both changed the same setting, and that saving replaces theirs", () => {
    const read = { lockoutThreshold: "5", lockoutMinutes: "15", rememberDeviceDays: "30" };
    const now = { lockoutThreshold: "6", lockoutMinutes: "15", rememberDeviceDays: "30" };
    const typed = { lockoutThreshold: "9", lockoutMinutes: "15", rememberDeviceDays: "30" };
    const out = rebaseStale<K, string>(keys, read, now, typed, ["lockoutThreshold"]);
    expect(out.drafts.lockoutThreshold).toBe("9");
    expect(out.message).toContain("(Lockout threshold)");
    expect(out.message).toContain(
      "You both changed Lockout threshold: yours is shown; saving replaces theirs.",
    );
  });
});
