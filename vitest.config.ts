/** The same suite runs on SQLite and on PostgreSQL: two projects that differ only in STAFFGATE_TEST_DB. */
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * The in-process projects share one module cache per worker (isolate: false): every test file
 * starts its own app on its own database, and what modules keep is constants and caches of them
 * (the common-password list, the hash threads). That halves the suite's time; a worker is never
 * shared between the two projects (vitest matches runners by project), so each keeps its
 * STAFFGATE_TEST_DB. One worker per core: much of the time is spent waiting on PostgreSQL.
 */
const inProcess = {
  isolate: false,
  maxWorkers: Math.max(2, availableParallelism()),
  // The tests that run `staffgate` in a child process run it bundled (packages/cli/test/bundle.global-setup.ts).
  globalSetup: ["packages/cli/test/bundle.global-setup.ts"],
};

const include = ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A poll waits for what a loaded machine may be slow to do (a page's render, a LISTEN
    // notification); vitest's default of 1 s was too short for CI on two shared cores. It only
    // lengthens a poll that would otherwise fail.
    expect: { poll: { timeout: 10_000 } },
    projects: [
      {
        extends: true,
        test: { name: "sqlite", include, env: { STAFFGATE_TEST_DB: "sqlite" }, ...inProcess },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          // Pure rule tests do not touch a database; running them twice proves nothing.
          include: ["packages/*/test/**/*.test.ts"],
          env: { STAFFGATE_TEST_DB: "postgres" },
          ...inProcess,
        },
      },
      {
        extends: true,
        test: {
          // The console in Debian's Chromium against the real server on SQLite (scripts/test.mjs).
          name: "e2e",
          include: ["packages/console/e2e/**/*.e2e.ts"],
          globalSetup: ["packages/console/e2e/global-setup.ts"],
          env: { STAFFGATE_TEST_DB: "sqlite" },
          testTimeout: 60_000,
          // After the in-process projects (its own group), two spec files at a time: each starts its
          // own server, database and browser, and much of a spec's time is the page waiting.
          // 354 s instead of 586 s one at a time on two cores; more would only queue for the CPU.
          maxWorkers: 2,
          // As in-process: a worker imports the server once, not once per spec file (each file still
          // starts its own server, database and browser).
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
