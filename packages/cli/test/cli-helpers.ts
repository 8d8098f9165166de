/** Runs the real `staffgate` command in a child process against a SQLite file (CLI tests). */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/**
 * Node's arguments that run `staffgate`: the command bundled from its current source for this run
 * (bundle.global-setup.ts), by absolute path, so it runs in any working directory.
 */
export const STAFFGATE: readonly string[] = [inject("cliBundle")];

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  dbFile: string,
  args: readonly string[],
  env: Record<string, string> = {},
  options: { cwd?: string } = {},
): CliResult {
  const r = spawnSync(process.execPath, [...STAFFGATE, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: dbFile, LOG_LEVEL: "silent", ...env },
    timeout: 25_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The command with its stdout a pipe that the reader has already closed, as `| head -1` does by
 * the time a long output reaches it.
 */
export function runCliIntoClosedPipe(dbFile: string, args: readonly string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [...STAFFGATE, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: dbFile, LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 25_000,
  });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: "", stderr }));
  });
}

/** `tenant create` for a clinic named after `slug`, with administrator `root`. */
export function tenantCreateArgs(slug: string): string[] {
  return [
    "tenant",
    "create",
    "--slug",
    slug,
    "--name",
    `Clinic ${slug}`,
    "--admin-username",
    "root",
    "--admin-email",
    `root@${slug}.example`,
    "--admin-first",
    "Rita",
    "--admin-last",
    "Root",
  ];
}
