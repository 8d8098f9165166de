/**
 * `staffgate serve` as a real process, for the start-up tests: it either starts (its banner is on
 * stderr) or exits, and the test reads which, with everything it wrote.
 */
import { type ChildProcess, type ChildProcessByStdio, type StdioOptions, spawn } from "node:child_process";
import path from "node:path";
import type { Readable } from "node:stream";
import { STAFFGATE } from "../../cli/test/cli-helpers.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

/** The processes started and not yet exited, each with the promise of its exit code. */
const running = new Map<ChildProcess, Promise<number>>();

/** SIGTERM to every server still running, for `afterEach`: a failed assertion must not leave one behind. */
export async function stopServers(): Promise<void> {
  await Promise.all(
    [...running].map(([child, exited]) => {
      child.kill("SIGTERM");
      return exited;
    }),
  );
}

export interface ServeRun {
  /** The exit code when it exited during start-up (-1: by a signal); null while it runs. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The "running at" address once it started. */
  readonly url: string | undefined;
  /** SIGTERM to this process's PID; resolves with its exit code. */
  stop(): Promise<number>;
}

/** `staffgate serve` with `env` over the quiet default below, as a child process. */
export function spawnServe(
  env: Record<string, string>,
  stdio: StdioOptions,
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [...STAFFGATE, "serve"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      STAFFGATE_PUBLIC_URL: "http://127.0.0.1:3999",
      STAFFGATE_BOOTSTRAP_PASSWORD: "",
      STAFFGATE_CATALOG: "",
      STAFFGATE_SECRET_KEY: "",
      SMTP_URL: "",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio,
  }) as ChildProcessByStdio<null, Readable, Readable>;
}

/**
 * Runs serve with `env` over a quiet default (PORT=0 on 127.0.0.1, no bootstrap password, no
 * catalogue or secret key inherited from the test's environment); resolves once it has printed its
 * banner or exited.
 */
export function runServe(env: Record<string, string>): Promise<ServeRun> {
  const child = spawnServe(env, ["ignore", "pipe", "pipe"]);
  let stdout = "";
  let stderr = "";
  let code: number | null = null;
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  const exited = new Promise<number>((resolve) =>
    child.once("close", (c) => {
      code = c ?? -1;
      running.delete(child);
      resolve(code);
    }),
  );
  running.set(child, exited);
  const run = (url: string | undefined): ServeRun => ({
    get code() {
      return code;
    },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    url,
    stop() {
      if (code === null) child.kill("SIGTERM");
      return exited;
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve neither started nor exited in 30 s:\n${stderr}`));
    }, 30_000);
    child.stderr.on("data", (d) => {
      stderr += d;
      const m = /running at (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(run(m[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve(run(undefined));
    });
  });
}
