/**
 * SECURITY.md I-63 `sys_crash`: a fault outside any request (a timer, a job) ends the service as
 * Node would (exit code 1), but only after a fatal log line that says what ended it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

const SCRIPT = `
import { loadConfig } from "./packages/server/src/config.ts";
import { startServer } from "./packages/server/src/main.ts";
await startServer(loadConfig(process.env));
setTimeout(() => { throw new Error("a fault outside any request"); }, 10);
`;

describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("a crash", () => {
  it("is logged as sys_crash (fatal, with the error) before the process exits with code 1", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-crash-"));
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          PORT: "0",
          HOST: "127.0.0.1",
          STAFFGATE_PUBLIC_URL: "http://127.0.0.1:1",
          DATABASE_URL: path.join(dir, "crash.db"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      expect(code).toBe(1);
      const crash = stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === "sys_crash");
      expect(crash, stdout).toMatchObject({ level: 60, err: { message: "a fault outside any request" } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
