/**
 * A stop asked while `serve` migrates a new SQLite file (better-sqlite3 runs the migrations on the
 * event loop, so the signal waits in Node's queue) is kept, and the process stops once the
 * migrations are done, exit code 0. It had been lost: the listener it was meant for was swapped out
 * while it waited, and the server went on to serve (found by the re-check, 2026-12-05). Timing:
 * the signal is sent soon after the file appears, when the migrations run on this machine; sent
 * before or after them it must stop the process just the same (before serve installs its handler,
 * Node's default ends it by the signal: nothing is written yet then).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_DB } from "./harness.ts";
import { spawnServe } from "./serve-process.ts";

describe.skipIf(TEST_DB !== "sqlite")("a stop during migrations", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sg-stop-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([20, 80, 160])(
    "stops, exit 0, when SIGTERM comes %i ms after the file appears",
    async (delay) => {
      const file = path.join(dir, `s${delay}.db`);
      const child = spawnServe({ DATABASE_URL: file }, ["ignore", "ignore", "pipe"]);
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
      try {
        while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 2));
        await new Promise((resolve) => setTimeout(resolve, delay));
        child.kill("SIGTERM");
        const code = await Promise.race([
          exited,
          new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 20_000)),
        ]);
        // Stopped: with 0 once its handler runs, or by the signal itself when it came before the
        // handler existed (nothing is written yet then). Never still serving.
        expect(code, stderr).not.toBe("still running");
        expect([0, null], stderr).toContain(code);
      } finally {
        child.kill("SIGKILL");
      }
    },
    60_000,
  );
});
