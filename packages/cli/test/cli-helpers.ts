/** Runs the real `staffgate` command in a child process against a SQLite file (CLI tests). */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN = join(ROOT, "packages/cli/src/main.ts");

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(dbFile: string, args: readonly string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: dbFile, LOG_LEVEL: "silent", ...env },
    timeout: 25_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
