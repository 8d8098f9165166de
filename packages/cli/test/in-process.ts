/**
 * CLI commands run in-process (a process per command would take a minute) against a database path
 * that must stay untouched: for the tests of what a command refuses or prints before it opens a
 * database.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, vi } from "vitest";
import { run } from "../src/main.ts";

/**
 * Points DATABASE_URL at a file that does not exist for the enclosing `describe`, and checks after
 * every test that it still does not. Returns the path (set once the suite starts).
 */
export function untouchedDatabase(prefix: string): { readonly file: string } {
  const state = { file: "" };
  let dir = "";
  const saved = process.env.DATABASE_URL;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    state.file = join(dir, "untouched.db");
    process.env.DATABASE_URL = state.file;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    expect(existsSync(state.file)).toBe(false);
  });
  return state;
}

/** Runs `staffgate <argv>` in this process, with what it writes to stdout and stderr. */
export async function captureRun(argv: readonly string[]) {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await run(argv), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}
