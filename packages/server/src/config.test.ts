/** Configuration from the environment: defaults, and a clear refusal of a bad value at start-up. */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { addressWarnings } from "./config-urls.ts";

describe("loadConfig", () => {
  it("defaults to SQLite on 127.0.0.1:3000 with one argon2 thread per core", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: "127.0.0.1", publicUrl: "http://127.0.0.1:3000" });
    expect(c.hashThreads).toBeUndefined();
    expect(c.operatorToken).toBeUndefined();
  });

  it("takes STAFFGATE_HASH_THREADS as a whole number from 1 to 64", () => {
    expect(loadConfig({ STAFFGATE_HASH_THREADS: "1" }).hashThreads).toBe(1);
    for (const bad of ["0", "1.5", "65", "many"]) {
      expect(() => loadConfig({ STAFFGATE_HASH_THREADS: bad })).toThrow(/STAFFGATE_HASH_THREADS/);
    }
  });

  it("takes an empty PORT or HOST as unset: 3000 on 127.0.0.1, not a random port or every interface", () => {
    expect(loadConfig({ PORT: "", HOST: "" })).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      publicUrl: "http://127.0.0.1:3000",
    });
    expect(loadConfig({ PORT: "4100" }).port).toBe(4100);
  });

  it("takes PORT=0 (any free port) only with STAFFGATE_PUBLIC_URL: links cannot carry a port picked when listening", () => {
    expect(() => loadConfig({ PORT: "0" })).toThrow(/^PORT=0 .*set STAFFGATE_PUBLIC_URL/);
    expect(loadConfig({ PORT: "0", STAFFGATE_PUBLIC_URL: "https://staff.example" })).toMatchObject({
      port: 0,
      publicUrl: "https://staff.example",
    });
  });

  it("brackets an IPv6 HOST in the default public URL, and refuses a HOST that is no address or name", () => {
    expect(loadConfig({ HOST: "::1" })).toMatchObject({ host: "::1", publicUrl: "http://[::1]:3000" });
    expect(loadConfig({ HOST: "::", PORT: "4100" }).publicUrl).toBe("http://localhost:4100");
    expect(loadConfig({ HOST: "staff-01.internal" }).publicUrl).toBe("http://staff-01.internal:3000");
    for (const bad of ["host:3000", "http://host", "two words", "-leading.example"]) {
      expect(() => loadConfig({ HOST: bad }), bad).toThrow(/^HOST must be an IP address/);
    }
  });

  it("takes STAFFGATE_PUBLIC_URL only as an http(s) URL without credentials, query or fragment, naming it", () => {
    expect(loadConfig({ STAFFGATE_PUBLIC_URL: "https://staff.example/gate" }).publicUrl).toBe(
      "https://staff.example/gate",
    );
    for (const bad of [
      "not a url",
      "ftp://files.example",
      "javascript:alert(1)",
      "https://user:s3cret@staff.example",
      "https://staff.example/?x=1",
      "https://staff.example/#top",
    ]) {
      const error = (() => {
        try {
          loadConfig({ STAFFGATE_PUBLIC_URL: bad });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message, bad).toMatch(/^STAFFGATE_PUBLIC_URL must /);
      expect(error?.message).not.toContain("s3cret");
    }
  });

  it("refuses a STAFFGATE_CATALOG that names no preset or loadable file, naming the variable", () => {
    expect(loadConfig({ STAFFGATE_CATALOG: "veterinary" }).catalog).toBe("veterinary");
    expect(() => loadConfig({ STAFFGATE_CATALOG: "nosuch" })).toThrow(
      /^STAFFGATE_CATALOG names no catalogue that loads: .*nosuch/,
    );
    expect(() => loadConfig({ STAFFGATE_CATALOG: "/nonexistent/custom.json" })).toThrow(
      /^STAFFGATE_CATALOG /,
    );
  });

  it("refuses a malformed SMTP_URL naming SMTP_URL, never echoing the URL or its password", () => {
    expect(loadConfig({ SMTP_URL: "smtps://mailer:Pw%40rd@mail.example:465" }).smtpUrl).toBe(
      "smtps://mailer:Pw%40rd@mail.example:465",
    );
    for (const bad of [
      "smtps//mailer:Pw-s3cret@mail.example",
      "http://mailer:Pw-s3cret@mail.example",
      "smtp://mailer:Pw-s3cret@",
      "smtp:mail.example",
      "%ZZ",
      "smtp://mailer:Pw-s3cret%ZZ@mail.example",
    ]) {
      const error = (() => {
        try {
          loadConfig({ SMTP_URL: bad });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message, bad).toMatch(/^SMTP_URL must look like smtp:\/\/user:password@host/);
      expect(error?.message).not.toContain("s3cret");
      expect(error?.message).not.toContain("mail.example");
    }
  });

  it("refuses an unknown FAILPOINT naming FAILPOINT and the points (a typo would leave a crash test unarmed)", () => {
    expect(() => loadConfig({ FAILPOINT: "before_commit" })).not.toThrow();
    for (const value of ["bogus", "AFTER_USER_INSERT", " before_commit"])
      expect(() => loadConfig({ FAILPOINT: value })).toThrow(
        /FAILPOINT must be one of after_user_insert, after_hash_write, before_commit/,
      );
  });

  it("takes STAFFGATE_BREACHED_PASSWORDS as off, a range API's address or an existing directory, naming it", () => {
    const at = (value: string) => loadConfig({ STAFFGATE_BREACHED_PASSWORDS: value }).breachedPasswords;
    expect(loadConfig({}).breachedPasswords).toBeUndefined();
    expect(at("off")).toBeUndefined();
    expect(at(" ")).toBeUndefined();
    expect(at("https://api.pwnedpasswords.com/range/")).toBe("https://api.pwnedpasswords.com/range/");
    expect(at(tmpdir())).toBe(tmpdir());
    for (const bad of ["/nonexistent-staffgate-ranges", import.meta.filename, "https://exa mple/range/"]) {
      expect(() => at(bad), bad).toThrow(/^STAFFGATE_BREACHED_PASSWORDS is "off", a range API's/);
    }
  });

  it("refuses an unknown LOG_LEVEL naming LOG_LEVEL and the levels", () => {
    expect(loadConfig({ LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    expect(() => loadConfig({ LOG_LEVEL: "verbose" })).toThrow(
      /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    );
  });

  it("refuses a STAFFGATE_SECRET_KEY under 32 characters, never echoing it", () => {
    expect(loadConfig({ STAFFGATE_SECRET_KEY: "k".repeat(32) }).secretKey).toBe("k".repeat(32));
    expect(loadConfig({ STAFFGATE_SECRET_KEY: "" }).secretKey).toBeUndefined();
    expect(() => loadConfig({ STAFFGATE_SECRET_KEY: "short-s3cret" })).toThrow(
      /^STAFFGATE_SECRET_KEY must be at least 32 characters/,
    );
    expect(() => loadConfig({ STAFFGATE_SECRET_KEY: "short-s3cret" })).not.toThrow(/s3cret/);
  });

  it("refuses a bad port and a short operator token", () => {
    for (const bad of ["abc", "70000", "-1", "1.5", "0x50", "1e3"]) {
      expect(() => loadConfig({ PORT: bad })).toThrow(/PORT/);
    }
    expect(() => loadConfig({ STAFFGATE_OPERATOR_TOKEN: "short" })).toThrow(/24 characters/);
  });

  it("refuses an operator token no client could present (spaces), and a secret key of spaces", () => {
    for (const bad of [
      "   abcdefghijklmnopqrstuvwxyz0123   ",
      " ".repeat(30),
      "abcdefghijkl mnopqrstuvwxyz0123",
    ])
      expect(() => loadConfig({ STAFFGATE_OPERATOR_TOKEN: bad })).toThrow(/without spaces/);
    expect(() => loadConfig({ STAFFGATE_SECRET_KEY: " ".repeat(40) })).toThrow(/at least 32 characters/);
  });

  it("refuses an operator token that looks like a tenant's session or API token", () => {
    for (const prefix of ["sgs_", "sgt_"])
      expect(() => loadConfig({ STAFFGATE_OPERATOR_TOKEN: `${prefix}0123456789abcdefghijklmn` })).toThrow(
        /must not start with/,
      );
    expect(loadConfig({ STAFFGATE_OPERATOR_TOKEN: "op_0123456789abcdefghijklmn" }).operatorToken).toBe(
      "op_0123456789abcdefghijklmn",
    );
  });

  it("takes STAFFGATE_TRUST_PROXY as true/false or a list of proxy addresses and CIDRs", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ STAFFGATE_TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadConfig({ STAFFGATE_TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ STAFFGATE_TRUST_PROXY: "10.0.0.5, 10.1.0.0/16,::1" }).trustProxy).toEqual([
      "10.0.0.5",
      "10.1.0.0/16",
      "::1",
    ]);
    for (const bad of ["1", "yes", "10.0.0.0/33", "proxy.internal", "10.0.0.1/8/2"]) {
      expect(() => loadConfig({ STAFFGATE_TRUST_PROXY: bad })).toThrow(/STAFFGATE_TRUST_PROXY/);
    }
  });

  it("takes STAFFGATE_RATE_LIMITS as off or name=number pairs over the defaults", () => {
    expect(loadConfig({}).rateLimits).toEqual({});
    expect(loadConfig({ STAFFGATE_RATE_LIMITS: "off" }).rateLimits).toBe(false);
    expect(loadConfig({ STAFFGATE_RATE_LIMITS: "perCaller=2000, decisionsPerTenant=0" }).rateLimits).toEqual({
      perCaller: 2000,
      decisionsPerTenant: 0,
    });
    for (const bad of ["perCaller", "perCaller=-1", "perCaller=1.5", "perUser=5", "perCaller=5=6", "on"]) {
      expect(() => loadConfig({ STAFFGATE_RATE_LIMITS: bad })).toThrow(/STAFFGATE_RATE_LIMITS/);
    }
  });
});

describe("addressWarnings (the start-up banner)", () => {
  it("warns when links would name localhost for a server on every interface", () => {
    const [warning] = addressWarnings("0.0.0.0", "http://localhost:3000", false);
    expect(warning).toContain("STAFFGATE_PUBLIC_URL");
    expect(addressWarnings("::", "http://localhost:3000", false)).toHaveLength(1);
    expect(addressWarnings("0.0.0.0", "https://staff.example.org", true)).toEqual([]);
  });

  it("warns of a console at plain http:// anywhere but this machine (the Secure cookie is dropped)", () => {
    for (const url of ["http://192.0.2.2:3000", "http://staff.example.org"]) {
      const warnings = addressWarnings("192.0.2.2", url, true);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("https://");
    }
    for (const url of [
      "http://127.0.0.1:3000",
      "http://localhost:3000",
      "http://[::1]:3000",
      "https://10.0.0.5",
    ])
      expect(addressWarnings("127.0.0.1", url, true)).toEqual([]);
  });
});
