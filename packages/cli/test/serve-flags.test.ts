/** `staffgate serve` flags: each replaces its environment variable; a mistyped one is refused, never ignored. */
import { loadConfig } from "@staffgate/server";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/commands/command.ts";
import { serveEnv } from "../src/commands/serve.ts";

describe("staffgate serve flags", () => {
  it("override the environment variables they stand for", () => {
    const env = serveEnv(
      [
        "--port",
        "4100",
        "--host=0.0.0.0",
        "--catalog",
        "veterinary",
        "--database-url",
        "/tmp/x.db",
        "--public-url",
        "https://staff.example",
      ],
      { PORT: "3000", STAFFGATE_CATALOG: "radiotherapy", OTHER: "kept" },
    );
    expect(env).toMatchObject({
      PORT: "4100",
      HOST: "0.0.0.0",
      STAFFGATE_CATALOG: "veterinary",
      DATABASE_URL: "/tmp/x.db",
      STAFFGATE_PUBLIC_URL: "https://staff.example",
      OTHER: "kept",
    });
    expect(loadConfig(env)).toMatchObject({
      port: 4100,
      host: "0.0.0.0",
      catalog: "veterinary",
      publicUrl: "https://staff.example",
    });
  });

  it("refuses an unknown flag, a stray argument and a flag without its value", () => {
    expect(() => serveEnv(["--prot", "4100"], {})).toThrow(UsageError);
    expect(() => serveEnv(["4100"], {})).toThrow(UsageError);
    expect(() => serveEnv(["--port"], {})).toThrow(/needs a value/);
  });

  it("leaves the environment as it is without flags", () => {
    expect(serveEnv([], { PORT: "3001" })).toEqual({ PORT: "3001" });
  });
});
