/** Configuration from the environment: defaults, and a clear refusal of a bad value at start-up. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

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
    expect(loadConfig({ PORT: "0" }).port).toBe(0);
  });

  it("refuses a bad port and a short operator token", () => {
    for (const bad of ["abc", "70000", "-1", "1.5", "0x50", "1e3"]) {
      expect(() => loadConfig({ PORT: bad })).toThrow(/PORT/);
    }
    expect(() => loadConfig({ STAFFGATE_OPERATOR_TOKEN: "short" })).toThrow(/24 characters/);
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
