/** The practice profile's form logic: what a save sends and says, refusals in words, zones, the shared version. */
import { TimeZone } from "@staffgate/contract";
import { describe, expect, it } from "vitest";
import {
  carriedVersion,
  profileChanges,
  profileErrors,
  savedWords,
  timeZoneChoices,
  zoneWords,
} from "./practiceProfile.ts";

const saved = { id: "ten_1", slug: "harbour", name: "Harbour Clinic", timeZone: "UTC", version: 4 };

describe("the practice profile form", () => {
  it("sends only what changed, the name trimmed", () => {
    expect(profileChanges(saved, { name: " Harbour Clinic ", timeZone: "UTC" })).toEqual({});
    expect(profileChanges(saved, { name: "Harbour Pets", timeZone: "UTC" })).toEqual({
      name: "Harbour Pets",
    });
    expect(profileChanges(saved, { name: "Harbour Clinic", timeZone: "Europe/Oslo" })).toEqual({
      timeZone: "Europe/Oslo",
    });
    // A name of spaces is sent (empty): the API refuses it, said beside the field.
    expect(profileChanges(saved, { name: "   ", timeZone: "UTC" })).toEqual({ name: "" });
  });

  it("says what was saved", () => {
    expect(savedWords({ name: "A" })).toBe("Saved the practice name.");
    expect(savedWords({ timeZone: "UTC" })).toBe("Saved the time zone.");
    expect(savedWords({ name: "A", timeZone: "UTC" })).toBe("Saved the practice name and time zone.");
  });

  it("words the API's field errors by the field's label, and keeps the rest for above the form", () => {
    expect(profileErrors({ name: "is required", timeZone: "must be an IANA time zone", slug: "x" })).toEqual({
      fields: { name: "Practice name is required", timeZone: "Time zone must be an IANA time zone" },
      other: ["slug: x"],
    });
    expect(profileErrors({ name: "Too long" }).fields).toEqual({ name: "Too long" });
  });

  it("offers UTC first, every known zone once, and a saved zone the list lacks", () => {
    expect(timeZoneChoices("Europe/Oslo", ["Europe/Oslo", "UTC", "Asia/Tokyo"])).toEqual([
      "UTC",
      "Europe/Oslo",
      "Asia/Tokyo",
    ]);
    expect(timeZoneChoices("Asia/Calcutta", ["Asia/Kolkata"])).toEqual([
      "UTC",
      "Asia/Calcutta",
      "Asia/Kolkata",
    ]);
    // Every zone offered is one the API takes.
    for (const zone of timeZoneChoices("UTC")) expect(TimeZone.safeParse(zone).success, zone).toBe(true);
    expect(zoneWords("America/Argentina/Buenos_Aires")).toBe("America/Argentina/Buenos Aires");
  });

  it("moves the other's version along only when it was read at the version the save replaced", () => {
    expect(carriedVersion(4, 4, 5)).toBe(5);
    // Read before someone else's change: still stale, so its save is refused (412), not lost.
    expect(carriedVersion(3, 4, 5)).toBe(3);
    expect(carriedVersion(4, 4, 4)).toBe(4);
  });
});
