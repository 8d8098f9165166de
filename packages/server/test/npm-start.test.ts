/**
 * `npm start` as an operator runs it: npm's process is the one a supervisor knows, so SIGTERM to it
 * must stop the server (the script `exec`s node in place of npm's shell, which would otherwise be
 * left behind, orphaned and listening); with `--silent` stdout holds only JSON log lines.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isServe(pid: number): boolean {
  return existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("serve");
}

// The process, not the database: SQLite only.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("npm start", { timeout: 60_000 }, () => {
  it("runs the server in place of npm's shell", () => {
    const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    expect(scripts.start).toMatch(/^exec node /);
  });

  it("stops the server on SIGTERM to npm's process; --silent leaves stdout JSON only", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-npm-start-"));
    // --ignore-scripts skips prestart (the console build, which is not what this is about).
    const npm = spawn("npm", ["start", "--silent", "--ignore-scripts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: "0",
        HOST: "127.0.0.1",
        STAFFGATE_PUBLIC_URL: "http://127.0.0.1:3999",
        DATABASE_URL: path.join(dir, "sg.db"),
        STAFFGATE_BOOTSTRAP_PASSWORD: "",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    npm.stdout.on("data", (d) => {
      stdout += d;
    });
    npm.stderr.on("data", (d) => {
      stderr += d;
    });
    const npmExit = new Promise<void>((resolve) => npm.once("exit", () => resolve()));
    let serverPid: number | undefined;
    try {
      // The server's own PID, from its start-up log line.
      serverPid = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start-up line:\n${stderr}\n${stdout}`)), 40_000);
        npm.stdout.on("data", () => {
          const line = stdout.split("\n").find((l) => l.includes('"event":"sys_startup"'));
          if (line) {
            clearTimeout(timer);
            resolve((JSON.parse(line) as { pid: number }).pid);
          }
        });
      });
      expect(serverPid).not.toBe(npm.pid);
      // The banner goes to stderr and the log line to stdout: two pipes, read in no set order.
      await expect.poll(() => stderr, { timeout: 10_000 }).toMatch(/One-time password for admin: \S+/);

      npm.kill("SIGTERM");
      await npmExit;
      const deadline = Date.now() + 10_000;
      while (alive(serverPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(alive(serverPid)).toBe(false);
      for (const line of stdout.trim().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();
      expect(stdout).toContain('"event":"sys_shutdown"');
    } finally {
      // Left running only when the test failed; made sure it is the server before ending it.
      if (serverPid !== undefined && alive(serverPid) && isServe(serverPid))
        process.kill(serverPid, "SIGKILL");
      if (npm.exitCode === null) npm.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
