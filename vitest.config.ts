/** The same suite runs on SQLite and on PostgreSQL: two projects that differ only in STAFFGATE_TEST_DB. */
import { defineConfig } from "vitest/config";

const include = ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "sqlite", include, env: { STAFFGATE_TEST_DB: "sqlite" } } },
      {
        extends: true,
        test: {
          name: "postgres",
          // Pure rule tests do not touch a database; running them twice proves nothing.
          include: ["packages/*/test/**/*.test.ts"],
          env: { STAFFGATE_TEST_DB: "postgres" },
        },
      },
    ],
  },
});
