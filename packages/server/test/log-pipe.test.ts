/**
 * `staffgate serve` whose log reader has gone (`serve 2>&1 | head -2`, a log collector that died):
 * it goes on answering, dropping its log lines, and stops on SIGTERM as always. It used to hang:
 * the banner's EPIPE became a crash, and the crash log's flush retried the broken pipe forever.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_DB } from "./harness.ts";
import { spawnServe } from "./serve-process.ts";

/** A port free now (the server is told it, since its banner cannot be read). */
function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    }),
  );
}

async function healthy(url: string, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe.skipIf(TEST_DB === "postgres")("staffgate serve without a log reader", { timeout: 60_000 }, () => {
  it("goes on answering when stdout and stderr lose their reader, and stops on SIGTERM", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-log-pipe-"));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnServe(
      {
        DATABASE_URL: path.join(dir, "sg.db"),
        PORT: String(port),
        STAFFGATE_PUBLIC_URL: url,
        LOG_LEVEL: "info",
      },
      ["ignore", "pipe", "pipe"],
    );
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    // The reader goes before the server has written anything: every line it writes meets EPIPE.
    child.stdout.destroy();
    child.stderr.destroy();
    try {
      expect(await healthy(url, Date.now() + 30_000)).toBe(true);
      // Requests that log (info), a refused sign-in among them, after the pipe broke.
      for (let i = 0; i < 5; i++) {
        const refused = await fetch(`${url}/api/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ tenant: "demo", login: "admin", password: "not the password at all" }),
        });
        expect(refused.status).toBe(401);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
      }
      child.kill("SIGTERM");
      const code = await Promise.race([
        exited,
        new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 15_000)),
      ]);
      expect(code).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
