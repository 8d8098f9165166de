/** How emails say when: the practice's wall clock and zone, then the UTC instant. */
import { describe, expect, it } from "vitest";
import { mailTime } from "./mail-time.ts";

describe("mailTime", () => {
  it("gives the practice's local time and zone, then the UTC instant to the minute", () => {
    expect(mailTime("2026-12-04T00:10:31.644Z", "Europe/Oslo")).toBe(
      "Fri, 4 Dec 2026, 01:10 Europe/Oslo (2026-12-04 00:10 UTC)",
    );
    // Summer time, and a local date a day before UTC's.
    expect(mailTime("2026-07-04T02:59:00.000Z", "America/New_York")).toBe(
      "Fri, 3 Jul 2026, 22:59 America/New_York (2026-07-04 02:59 UTC)",
    );
  });

  it("says a UTC practice's time once", () => {
    expect(mailTime("2026-12-04T00:10:31.644Z", "UTC")).toBe("Fri, 4 Dec 2026, 00:10 UTC");
  });
});
