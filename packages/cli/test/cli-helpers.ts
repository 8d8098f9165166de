/** Runs the real `staffgate` command in a child process against a SQLite file (CLI tests). */
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN = join(ROOT, "packages/cli/src/main.ts");
// By location, so that a command can run in any working directory (a relative DATABASE_URL).
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

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
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
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
  const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], {
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
