import { describe, expect, it } from "vitest";
import { loggedUrl } from "./logged-url.ts";

describe("loggedUrl", () => {
  it("hides values named like credentials and Staffgate's own secrets under any name", () => {
    expect(loggedUrl("/reset-password?token=sgr_abc&lang=en")).toBe(
      "/reset-password?token=[redacted]&lang=en",
    );
    expect(loggedUrl("/x?apiToken=1&bearer=Bearer%20z&pw=2&q=kim&x=sgs_3&y=%20sgt%5F4")).toBe(
      "/x?apiToken=[redacted]&bearer=[redacted]&pw=[redacted]&q=kim&x=[redacted]&y=[redacted]",
    );
    // A secret given as a bare name, and a value with an `=` in it, are hidden whole.
    expect(loggedUrl("/x?sgs_ABC&a=1")).toBe("/x?[redacted]&a=1");
    expect(loggedUrl("/x?session=a=b&c")).toBe("/x?session=[redacted]&c");
    expect(loggedUrl("/users?status=active&limit=10")).toBe("/users?status=active&limit=10");
    expect(loggedUrl("/healthz")).toBe("/healthz");
  });

  it("takes time in proportion to the URL: a query of 64 KiB of `?` or `&=` is judged at once", () => {
    // The regular expressions it replaces took about 0.9 s for 16 KiB of `?` (quadratic); this
    // bound is two orders of magnitude above what a linear pass needs, even on a busy CI host.
    for (const filler of ["?", "&=", "&sg", "=csrf"]) {
      const url = `/api/v1/auth/me?${filler.repeat(65536 / filler.length)}`;
      const started = performance.now();
      loggedUrl(url);
      expect(performance.now() - started, filler).toBeLessThan(200);
    }
  });
});
