/** /readyz on a SQLite file: the file the server opened must still be the one at its path. */
import { copyFileSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./harness.ts";

// SQLite only: the file is what is checked; PostgreSQL's readiness is a query.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("/readyz on a SQLite file", () => {
  let t: TestApp | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<string> {
    dir = mkdtempSync(path.join(tmpdir(), "sg-ready-"));
    const file = path.join(dir, "staffgate.db");
    t = await startTestApp({ databaseUrl: file });
    return file;
  }

  const ready = async () => {
    const res = await t!.app.inject({ method: "GET", url: "/readyz" });
    return { status: res.statusCode, code: res.json().code };
  };
  const live = async () => (await t!.app.inject({ method: "GET", url: "/healthz" })).statusCode;

  it("answers 503 NOT_READY once the file is deleted under the server (its writes would be lost)", async () => {
    const file = await start();
    expect(await ready()).toEqual({ status: 200, code: undefined });
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
    expect(await ready()).toEqual({ status: 503, code: "NOT_READY" });
    // Liveness is about the process, which still answers.
    expect(await live()).toBe(200);
  });

  it("answers 503 NOT_READY when another file has taken its path", async () => {
    const file = await start();
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    expect(await ready()).toEqual({ status: 503, code: "NOT_READY" });
  });
});
