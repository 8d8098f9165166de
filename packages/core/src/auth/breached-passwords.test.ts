import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createBreachedPasswords, rangeLists, rangeOf } from "./breached-passwords.ts";

describe("breached-password ranges", () => {
  it("splits the SHA-1 as Pwned Passwords does (the published vector for 'password')", () => {
    expect(rangeOf("password")).toEqual({ prefix: "5BAA6", suffix: "1E4C9B93F3F0682250B6CF8331B7EE68FD8" });
  });

  it("hashes the password as it is hashed for storage: NFC", () => {
    expect(rangeOf("cafe\u0301-lantern-harbour")).toEqual(rangeOf("caf\u00e9-lantern-harbour"));
  });

  it("matches a listed suffix with a count, in either case, with CRLF lines; never a padding line", () => {
    const range =
      "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n1e4c9b93f3f0682250b6cf8331b7ee68fd8:3\r\nABC:0\r\n";
    expect(rangeLists(range, "1E4C9B93F3F0682250B6CF8331B7EE68FD8")).toBe(true);
    expect(rangeLists(range, "ABC")).toBe(false);
    expect(rangeLists(range, "FFFF")).toBe(false);
    expect(rangeLists("", "1E4C9B93F3F0682250B6CF8331B7EE68FD8")).toBe(false);
  });

  it("gives no verdict, and says why, when a range API does not answer in time", async () => {
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const { port } = hanging.address() as AddressInfo;
    const reasons: string[] = [];
    const source = createBreachedPasswords(`http://127.0.0.1:${port}/range/`, {
      timeoutMs: 50,
      onUnavailable: (reason) => reasons.push(reason),
    });
    try {
      expect(await source.check("violet-harbour-lantern-0420")).toBe("unknown");
      expect(reasons).toEqual(["the range API gave no answer within 50 ms"]);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it("reads a missing range file as an empty range: clean", async () => {
    const source = createBreachedPasswords("/nonexistent-staffgate-ranges");
    expect(await source.check("violet-harbour-lantern-0420")).toBe("clean");
  });
});
